"""`customer-health serve` as a deployment runs it: a process configured by the environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.demo import BackgroundServer

from .support import SECRET, SUBDOMAIN, sign

CLI = str(Path(sys.executable).with_name("customer-health"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _environment(**values: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK_", "APP_"))}
    return {**keep, **values}


def test_serve_answers_signed_requests(zendesk: BackgroundServer, tmp_path: Any) -> None:
    port = _free_port()
    env = _environment(
        APP_SHARED_SECRET=SECRET,
        ZENDESK_SUBDOMAIN=SUBDOMAIN,
        ZENDESK_URL=zendesk.url,
        ZENDESK_OAUTH_TOKEN="demo-oauth-token",
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        PORT=str(port),
    )
    process = subprocess.Popen(
        [CLI, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}"
        response = httpx.get(
            f"{url}/api/v1/organizations/360100000011/health",
            headers={"Authorization": f"Bearer {sign()}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        assert response.json()["organization"]["id"] == 360100000011
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert SECRET not in output
    assert "demo-oauth-token" not in output


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({}, "ZENDESK_SUBDOMAIN and APP_SHARED_SECRET"),
        (
            {"ZENDESK_CLIENT_ID": "abc", "APP_SHARED_SECRET": SECRET, "ZENDESK_SUBDOMAIN": "x"},
            "ZENDESK_CLIENT_SECRET",
        ),
        ({"APP_SHARED_SECRET": SECRET, "ZENDESK_SUBDOMAIN": "x"}, "ZENDESK_OAUTH_TOKEN"),
        (
            {"APP_SHARED_SECRET": SECRET, "ZENDESK_SUBDOMAIN": "x", "ZENDESK_URL": "ftp://x"},
            "ZENDESK_URL must start with http:// or https://",
        ),
    ],
    ids=["no tenant", "half a credential pair", "no zendesk credentials", "bad zendesk url"],
)
def test_serve_refuses_an_incomplete_environment_naming_what_to_set(
    tmp_path: Any, variables: dict[str, str], named: str
) -> None:
    result = subprocess.run(
        [CLI, "serve"],
        env=_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", **variables),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr

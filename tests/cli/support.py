"""Running `customer-health` as a user does: a separate process, configured by the environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

CLI = str(Path(sys.executable).with_name("customer-health"))
SECRET = "cli-test-shared-secret-0123456789abcdef"
POSTGRES = os.environ.get("TEST_DATABASE_URL")


def environment(**values: str) -> dict[str, str]:
    """The test's environment without any of the backend's variables, plus `values`."""
    from backend.cli.environment import VARIABLES

    keep = {k: v for k, v in os.environ.items() if k not in VARIABLES and k != "WEB_CONCURRENCY"}
    return {**keep, **values}


def run_cli(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args],
        env=environment(**env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_until_up(url: str, process: subprocess.Popen[Any], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the process exited with {process.returncode}: {output}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up within {timeout} s")


def stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate(timeout=10)
    return output or ""

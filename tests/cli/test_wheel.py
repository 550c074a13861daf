"""The built wheel, installed into a fresh virtualenv (as the Dockerfile does), works on its own:
`serve`, `package-app` and `demo` run from it, outside the repository, with the app shipped
inside the distribution.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend import __version__
from backend.app_package import Author, Release, build_app_package
from backend.demo import BackgroundServer, RateLimits, create_demo_zendesk, generate_account

from .support import environment, free_port, stop, wait_until_up

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "backend", "zendesk_app")
SECRET = "wheel-test-shared-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `bin/` of a fresh virtualenv with only the wheel (and its dependencies) installed."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    # A copy, so the build sees only these files and leaves nothing behind in the checkout.
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    python = sys._base_executable  # type: ignore[attr-defined]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = (root / "dist").glob("customer_health-*.whl")
    subprocess.run([python, "-m", "venv", str(root / "venv")], check=True)
    subprocess.run(
        [str(root / "venv/bin/python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        cwd=root,
    )
    yield root / "venv/bin"


def _run(bin_dir: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "customer-health"), *args],
        cwd=cwd,
        env={**environment(**env), "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_is_a_separate_installation(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import backend, zendesk_app; print(backend.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(REPO) not in where and "site-packages" in where
    assert _run(installed, "--version", cwd=tmp_path).stdout.strip() == (
        f"customer-health {__version__}"
    )


def test_package_app_from_the_wheel_ships_the_whole_app(installed: Path, tmp_path: Path) -> None:
    args = ("--backend-url", "https://health.acme.test", "--author-email", "it@acme.test")
    result = _run(installed, "package-app", *args, "--out", "app.zip", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    author = Author("Customer Health for Zendesk", "it@acme.test", "https://health.acme.test")
    expected = build_app_package(
        REPO / "zendesk_app", "https://health.acme.test", Release(__version__, author)
    )
    assert (tmp_path / "app.zip").read_bytes() == expected


def test_serve_from_the_wheel_answers_signed_requests(installed: Path, tmp_path: Path) -> None:
    from backend.cli.token import sign_token

    account = generate_account(seed=7, organizations=4)
    with BackgroundServer(
        create_demo_zendesk(account, rate_limits=RateLimits(account=100_000))
    ) as zendesk:
        port = free_port()
        env = environment(
            APP_SHARED_SECRET=SECRET,
            ZENDESK_SUBDOMAIN=account.subdomain,
            ZENDESK_URL=zendesk.url,
            ZENDESK_OAUTH_TOKEN="demo-oauth-token",
            DATABASE_URL=f"sqlite:///{tmp_path / 'health.db'}",
            PORT=str(port),
        )
        process = subprocess.Popen(
            [str(installed / "customer-health"), "serve"],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": ""},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{url}/healthz", process)
            assert httpx.get(f"{url}/readyz", timeout=30).json()["status"] == "ready"
            token = sign_token(SECRET, account.subdomain, 1001)
            organization = account.organization_ids[0]
            response = httpx.get(
                f"{url}/api/v1/organizations/{organization}/health",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            assert httpx.get(f"{url}/static-offline-docs/swagger-ui-bundle.js").status_code == 200
        finally:
            output = stop(process)
    assert "Traceback" not in output


def test_demo_from_the_wheel_shows_the_preview(installed: Path, tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [str(installed / "customer-health"), "demo", "--organizations", "3"],
        cwd=tmp_path,
        env={**environment(PORT=str(port)), "PYTHONPATH": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz", process)
        assert httpx.get(f"{url}/preview").status_code == 200
        iframe = httpx.get(f"{url}/preview/app/assets/iframe.html")
        assert iframe.status_code == 200 and "<script" in iframe.text
    finally:
        output = stop(process)
    assert "Traceback" not in output
    assert (tmp_path / "var/demo.sqlite3").is_file()

"""A full run at DEBUG with JSON logs: good and forged tokens, hostile claims, Zendesk
faults and refused credentials, three ways of authenticating to Zendesk, /metrics, and the
tenant CLI. No log line (nor CLI output) may hold a secret or a token."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from jose import jws, jwt

from backend.api.main import create_app
from backend.cli import main
from backend.config import AppConfig
from backend.demo import BackgroundServer, DemoCredentials, RateLimits, create_demo_zendesk
from backend.demo import generate_account as generate

from .conftest import JsonLines

CREDENTIALS = DemoCredentials(
    oauth_token="oauth-token-that-must-not-leak-0001",
    api_token="api-token-that-must-not-leak-0002",
    client_secret="client-secret-that-must-not-leak-0003",
)
ENV_SECRET = "env-shared-secret-that-must-not-leak-0004"
OAUTH_CLIENT_SECRET = "tenant-shared-secret-oauth-client-0005"
API_TOKEN_SECRET = "tenant-shared-secret-api-token-0006"
WRONG_KEY_SECRET = "tenant-shared-secret-wrong-credentials-0007"
FORGED_SECRET = "forged-secret-that-must-not-leak-0008"
WRONG_API_TOKEN = "wrong-api-token-that-must-not-leak-0009"
METRICS_TOKEN = "metrics-token-that-must-not-leak-0010"
ENCRYPTION_KEY = Fernet.generate_key().decode()


def _token(secret: str, issuer: str, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": issuer, "aud": "customer-health", "iat": now, "exp": now + 600}
    body["installation_id"] = 1001
    token: str = jwt.encode({**body, **claims}, secret)
    return token


def _register(monkeypatch: pytest.MonkeyPatch, database: str, name: str, **env: str) -> None:
    with monkeypatch.context() as scoped:
        scoped.setenv("DATABASE_URL", database)
        scoped.setenv("ENCRYPTION_KEY", ENCRYPTION_KEY)
        for key, value in env.items():
            scoped.setenv(key, value)
        assert main(["tenant", "add", name, "--zendesk-url", env["URL"]]) == 0


def test_no_secret_or_token_reaches_a_log_line(
    json_logs: JsonLines,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = generate(seed=3, organizations=4)
    zendesk_app = create_demo_zendesk(
        account, credentials=CREDENTIALS, rate_limits=RateLimits(account=100_000)
    )
    database = f"sqlite:///{tmp_path / 'health.db'}"
    sent_tokens: list[str] = []
    with BackgroundServer(zendesk_app) as zendesk:
        # The tenant CLI: three registered accounts on the same demo Zendesk.
        _register(
            monkeypatch,
            database,
            "viaclient",
            URL=zendesk.url,
            APP_SHARED_SECRET=OAUTH_CLIENT_SECRET,
            ZENDESK_CLIENT_ID=CREDENTIALS.client_id,
            ZENDESK_CLIENT_SECRET=CREDENTIALS.client_secret,
        )
        _register(
            monkeypatch,
            database,
            "viaapitoken",
            URL=zendesk.url,
            APP_SHARED_SECRET=API_TOKEN_SECRET,
            ZENDESK_EMAIL=CREDENTIALS.email,
            ZENDESK_API_TOKEN=CREDENTIALS.api_token,
        )
        _register(
            monkeypatch,
            database,
            "wrongcredentials",
            URL=zendesk.url,
            APP_SHARED_SECRET=WRONG_KEY_SECRET,
            ZENDESK_EMAIL=CREDENTIALS.email,
            ZENDESK_API_TOKEN=WRONG_API_TOKEN,
        )
        config = AppConfig(
            app_shared_secret=ENV_SECRET,
            zendesk_subdomain=account.subdomain,
            zendesk_url=zendesk.url,
            zendesk_oauth_token=CREDENTIALS.oauth_token,
            database_url=database,
            encryption_key=ENCRYPTION_KEY,
            metrics_token=METRICS_TOKEN,
            cold_deadline_seconds=10,
            zendesk_max_retry_seconds=0.5,
            log_format="json",
        )
        with BackgroundServer(create_app(config)) as backend:

            def call(path: str, token: str) -> httpx.Response:
                sent_tokens.append(token)
                return httpx.get(
                    backend.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30
                )

            organizations = account.organization_ids
            health = f"/api/v1/organizations/{organizations[0]}/health"
            for secret, issuer in (
                (ENV_SECRET, account.subdomain),
                (OAUTH_CLIENT_SECRET, "viaclient"),
                (API_TOKEN_SECRET, "viaapitoken"),
            ):
                assert call(health, _token(secret, issuer)).status_code == 200
            assert call(health, _token(WRONG_KEY_SECRET, "wrongcredentials")).status_code == 503
            refused = [
                _token(FORGED_SECRET, account.subdomain),
                _token(FORGED_SECRET, "nobody"),
                _token(ENV_SECRET, account.subdomain, installation_id="1²"),
                _token(ENV_SECRET, account.subdomain, exp=int(time.time()) - 3600),
                jws.sign(b'{"exp": 1e400}', ENV_SECRET, headers={"crit": ["exp"]}),
                _token(ENV_SECRET, account.subdomain, padding="x" * 9000),
            ]
            for token in refused:
                assert call("/api/v1/whoami", token).status_code in (401, 431)
            for fault in (
                {"rate_500": 1.0},
                {"rate_429": 1.0, "retry_after": 1},
                {"rate_malformed": 1.0},
            ):
                httpx.put(f"{zendesk.url}/_demo/faults", json=fault).raise_for_status()
                for organization in organizations[1:]:
                    call(
                        f"/api/v1/organizations/{organization}/health",
                        _token(ENV_SECRET, account.subdomain),
                    )
            httpx.put(f"{zendesk.url}/_demo/faults", json={}).raise_for_status()
            assert call("/metrics", "not-the-metrics-token").status_code == 401
            assert call("/metrics", METRICS_TOKEN).status_code == 200
        issued = list(zendesk_app.state.demo.issuer._expiry)  # tokens the OAuth client got
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("ENCRYPTION_KEY", ENCRYPTION_KEY)
    assert main(["tenant", "list"]) == 0
    assert main(["tenant", "remove", "wrongcredentials", "--yes"]) == 0

    basic = base64.b64encode(f"{CREDENTIALS.email}/token:{CREDENTIALS.api_token}".encode())
    secrets = {
        CREDENTIALS.oauth_token,
        CREDENTIALS.api_token,
        CREDENTIALS.client_secret,
        ENV_SECRET,
        OAUTH_CLIENT_SECRET,
        API_TOKEN_SECRET,
        WRONG_KEY_SECRET,
        FORGED_SECRET,
        WRONG_API_TOKEN,
        METRICS_TOKEN,
        ENCRYPTION_KEY,
        basic.decode(),
        *issued,
        *sent_tokens,
        *(token.rsplit(".", 1)[1] for token in sent_tokens if token.count(".") == 2),
    }
    assert issued, "the OAuth client-credentials flow did not run"
    lines = json_logs.text.splitlines()
    output = capsys.readouterr()
    # The run was logged, with its refusals and Zendesk's failures (else this proves little).
    assert len(lines) > 50
    assert any("signature does not match" in line for line in lines)
    assert any("unknown issuer" in line for line in lines)
    assert any("answered 500" in line for line in lines)
    assert any("answered 401" in line for line in lines)
    for text in (*lines, *output.out.splitlines(), *output.err.splitlines()):
        leaked = [s for s in secrets if s and s in text]
        assert not leaked, f"{leaked} in: {text[:300]}"

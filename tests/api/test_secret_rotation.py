"""Rotating the shared secret without downtime, and secrets too short to trust."""

from __future__ import annotations

from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from jose import jwt

from backend.api.main import create_app
from backend.config import AppConfig
from backend.demo import BackgroundServer
from backend.store.db import create_db_engine, migrate
from backend.store.repository import Repository
from backend.tenants import SecretBox, Tenant, seal_tenant

from .support import SECRET, BackendFactory, get_health, sign

ORG = 360100000011
NEW_SECRET = "the-new-shared-secret-0123456789abcdef"


def test_during_a_rotation_both_secrets_verify(make_backend: BackendFactory) -> None:
    backend = make_backend(app_shared_secret=NEW_SECRET, app_shared_secret_previous=SECRET)
    assert get_health(backend, ORG, sign(SECRET)).status_code == 200
    assert get_health(backend, ORG, sign(NEW_SECRET)).status_code == 200
    refused = get_health(backend, ORG, sign("a-third-secret-0123456789abcdef-xyz"))
    assert refused.status_code == 401


def test_after_the_rotation_the_old_secret_is_refused(make_backend: BackendFactory) -> None:
    backend = make_backend(app_shared_secret=NEW_SECRET)
    assert get_health(backend, ORG, sign(SECRET)).status_code == 401


def test_a_tenant_registered_with_an_empty_secret_verifies_nothing(
    tmp_path: Path, zendesk: BackgroundServer
) -> None:
    database_url = f"sqlite:///{tmp_path / 'old.db'}"
    key = Fernet.generate_key().decode()
    engine = create_db_engine(database_url)
    migrate(engine)
    # As `tenant add` stored it before secrets had a minimum length.
    tenant = Tenant("legacy", zendesk.url, "oauth_token", "", {"oauth_token": "demo-oauth-token"})
    Repository(engine).save_tenant(seal_tenant(tenant, SecretBox(key)))
    engine.dispose()
    config = AppConfig(database_url=database_url, encryption_key=key)
    with BackgroundServer(create_app(config)) as backend:
        forged = jwt.encode(jwt.get_unverified_claims(sign(iss="legacy")), "", algorithm="HS256")
        response = httpx.get(
            f"{backend.url}/api/v1/whoami", headers={"Authorization": f"Bearer {forged}"}
        )
    assert response.status_code == 401

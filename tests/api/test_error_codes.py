"""Every error body carries a machine `code` beside the English `detail` (docs/api.md)."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from backend.demo import BackgroundServer

from .support import BackendFactory, bearer, get_health, sign

SMALL = 360100000011


def body_of(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    body: dict[str, str] = response.json()
    # A 422 also lists the fields at fault; every other error is exactly detail and code.
    assert set(body) == ({"detail", "code", "fields"} if status == 422 else {"detail", "code"})
    assert body["detail"] and "Traceback" not in body["detail"]
    return body


def test_refused_token_is_invalid_token(backend: BackgroundServer) -> None:
    body = body_of(get_health(backend, SMALL, sign("another-secret")), 401)
    assert body["code"] == "invalid_token"
    assert "signature does not match" in body["detail"]


def test_unknown_organization_is_organization_not_found(backend: BackgroundServer) -> None:
    assert body_of(get_health(backend, 424242), 404)["code"] == "organization_not_found"


@pytest.mark.parametrize(("organization_id", "locale"), [("abc", "en"), (SMALL, "<b>")])
def test_bad_parameters_are_invalid_request(
    backend: BackgroundServer, organization_id: int | str, locale: str
) -> None:
    response = get_health(backend, organization_id, locale=locale)
    assert body_of(response, 422)["code"] == "invalid_request"


def test_zendesk_down_with_nothing_stored_is_zendesk_unavailable(
    make_backend: BackendFactory, zendesk: BackgroundServer
) -> None:
    backend = make_backend()
    httpx.put(f"{zendesk.url}/_demo/faults", json={"rate_500": 1.0}).raise_for_status()
    body = body_of(get_health(backend, SMALL), 503)
    assert body["code"] == "zendesk_unavailable"


def test_broken_database_is_database_unavailable(
    make_backend: BackendFactory, database: tuple[str, str | None]
) -> None:
    backend = make_backend()
    url, schema = database
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    table = f'"{schema}".sync_state' if schema else "sync_state"
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE {table}"))
    engine.dispose()
    assert body_of(get_health(backend, SMALL), 503)["code"] == "database_unavailable"


def test_unknown_path_and_wrong_method(backend: BackgroundServer) -> None:
    unknown = httpx.get(f"{backend.url}/api/v1/nothing-here", headers=bearer(sign()))
    assert body_of(unknown, 404)["code"] == "not_found"
    wrong = httpx.post(f"{backend.url}/api/v1/whoami", headers=bearer(sign()))
    assert body_of(wrong, 405)["code"] == "method_not_allowed"

"""The sidebar's other states in Chromium: computing, backend down, bad signature, unset URL."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Request, expect

from backend.demo import DemoAccount
from backend.demo.preview import tamper_signature

from .conftest import HIGH_VOLUME, BackendFactory, HealthApi, PreviewFactory, Sidebar
from .support import format_number, sign

pytestmark = pytest.mark.browser

PROGRESS = re.compile(r"^(?P<fetched>[\d,]+) of (?P<total>[\d,]+) tickets read$")


def text(locator: Locator) -> str:
    return locator.text_content() or ""


def problem(sidebar: Sidebar, code: str) -> Locator:
    return sidebar.frame.locator(f'#app [data-state="problem"][data-code="{code}"]')


def test_computing_progress_then_card(
    sidebar: Sidebar,
    account: DemoAccount,
    make_backend: BackendFactory,
    make_preview: PreviewFactory,
    faults: Callable[..., None],
) -> None:
    """A cold high-volume organization: 202 with progress, polled until the card renders."""
    big = max(account.organization_ids, key=account.ticket_count)
    assert account.ticket_count(big) > HIGH_VOLUME
    # Its own empty database and no account sync: every organization is fetched on its own.
    cold = make_backend(cold_deadline_seconds=0.05, sync_interval_seconds=0)
    faults(rate_slow=1, slow_seconds=0.5)  # every Zendesk call takes 0.5 s

    sidebar.open(big, base_url=make_preview(cold.url, labels=False).url)
    computing = sidebar.state("computing")
    expect(computing).to_be_visible()
    assert text(computing.locator(".message__title")) == "Computing customer health…"
    expect(computing.get_by_role("progressbar")).to_have_count(1)

    # A later poll knows the total: a determinate bar whose value matches its label.
    bar = computing.locator('[role="progressbar"][aria-valuenow]')
    expect(bar).to_have_count(1, timeout=15_000)
    label = text(computing.locator(".message__body"))
    match = PROGRESS.match(label)
    assert match, label
    fetched, total = (int(match[name].replace(",", "")) for name in ("fetched", "total"))
    assert 0 <= fetched <= total
    assert total > 0
    assert bar.get_attribute("aria-valuenow") == str(round(100 * fetched / total))
    assert bar.get_attribute("aria-label") == label
    sidebar.screenshot("computing", publish=True)

    faults()  # Zendesk fast again: the next polls finish the computation
    card = sidebar.state("report")
    expect(card).to_be_visible(timeout=30_000)
    report = HealthApi(cold.url, account.shared_secret, account.subdomain).report(big)
    assert text(card.locator(".card__title")) == report["organization"]["name"]
    assert text(card.locator(".score__value")) == format_number(report["score"], "en")
    assert report["score"] is not None
    assert sidebar.errors == []


def test_backend_down_shows_error_and_retry_recovers(
    sidebar: Sidebar,
    account: DemoAccount,
    make_backend: BackendFactory,
    make_preview: PreviewFactory,
) -> None:
    gone = make_backend()
    port, url = gone.port, gone.url
    gone.stop()  # nothing listens on `port` now
    organization_id = account.organization_ids[0]

    sidebar.open(organization_id, base_url=make_preview(url).url, role="agent")
    error = problem(sidebar, "backend_unreachable")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    assert text(error.locator(".message__title")) == "Backend unreachable"
    assert text(error.locator(".message__body")) == (
        "The Customer Health backend didn't answer. Try again in a minute; if it lasts, ask "
        "your Zendesk admin to check that the backend is running and reachable from Zendesk."
    )
    expect(error.locator(".message__detail")).to_have_count(0)  # agents: no plumbing
    retry = error.get_by_role("button", name="Try again")
    expect(retry).to_be_visible()
    sidebar.screenshot("error-unreachable", publish=True)

    back = make_backend(port=port)  # the backend comes back on the same address
    retry.click()
    card = sidebar.state("report")
    expect(card).to_be_visible(timeout=20_000)
    report = HealthApi(back.url, account.shared_secret, account.subdomain).report(organization_id)
    assert text(card.locator(".card__title")) == report["organization"]["name"]
    assert text(card.locator(".score__value")) == format_number(report["score"], "en")


def test_refused_zendesk_credentials_send_agents_to_the_backends_operator(
    sidebar: Sidebar,
    make_backend: BackendFactory,
    make_synced_backend: BackendFactory,
    make_preview: PreviewFactory,
    account: DemoAccount,
    by_colour: dict[str, int],
) -> None:
    """Zendesk refuses the backend's API token: with nothing stored the card is an error, with
    stored figures a note; both tell agents to ask the backend's operator, not to wait."""
    organization_id = by_colour["yellow"]
    revoked = {"zendesk_oauth_token": "a-revoked-token"}

    empty = make_backend(sync_interval_seconds=0, **revoked)
    answer = HealthApi(empty.url, account.shared_secret, account.subdomain).get(organization_id)
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "zendesk_credentials"
    sidebar.open(organization_id, base_url=make_preview(empty.url, labels=False).url, role="agent")
    error = problem(sidebar, "zendesk_credentials")
    expect(error).to_be_visible()
    assert text(error.locator(".message__title")) == "The backend can't sign in to Zendesk"
    assert text(error.locator(".message__body")) == (
        "Zendesk refused the backend's API credentials. Ask the backend's operator to renew "
        "them; trying again won't help until then."
    )
    expect(error.locator(".message__detail")).to_have_count(0)
    assert [e for e in sidebar.errors if "status of 503" not in e] == []  # the browser logs a 503
    sidebar.errors.clear()

    # The store holds the account; then the token is revoked: the account sync fails.
    stored = make_synced_backend(sync_interval_seconds=0.5, sync_state="failing", **revoked)
    api = HealthApi(stored.url, account.shared_secret, account.subdomain)
    stale = api.stale_report(organization_id)
    assert stale["stale_code"] == "zendesk_credentials", stale["stale_reason"]
    sidebar.open(organization_id, base_url=make_preview(stored.url, labels=False).url, role="agent")
    note = sidebar.frame.locator('[data-state="stale"]')
    expect(note).to_be_visible()
    assert text(note.locator(".stale__body")) == (
        "The backend can't sign in to Zendesk, so these figures aren't updated. Ask the "
        "backend's operator to renew its Zendesk API credentials."
    )
    assert "try again" not in text(note).lower()
    card = sidebar.state("report")
    assert text(card.locator(".card__title")) == stale["organization"]["name"]
    sidebar.screenshot("card-zendesk-credentials", publish=True)
    stored.stop()  # its sync would keep knocking at the demo Zendesk twice a second
    assert sidebar.errors == []


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_refused_token_says_who_fixes_it_and_shows_the_detail_to_admins_only(
    sidebar: Sidebar, api: HealthApi, account: DemoAccount, role: str
) -> None:
    organization_id = account.organization_ids[0]
    refused = api.get(organization_id, token=tamper_signature(sign(api.secret, api.subdomain)))
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_token"
    detail: Any = refused.json()["detail"]

    sidebar.open(organization_id, tamper=True, role=role)
    expect(sidebar.page.locator(".topbar .warning")).to_contain_text("tampered")
    error = problem(sidebar, "invalid_token")
    expect(error).to_be_visible()
    assert text(error.locator(".message__title")) == "Connection not trusted"
    assert text(error.locator(".message__body")) == (
        "The backend refused this app's signed request. Ask your Zendesk admin to check that "
        "the app's shared secret matches the backend's."
    )
    if role == "admin":
        assert text(error.locator(".message__detail code")) == detail
    else:
        expect(error.locator(".message__detail")).to_have_count(0)
        assert detail not in (error.text_content() or "")
    expect(error.get_by_role("button", name="Try again")).to_be_visible()
    expect(sidebar.state("report")).to_have_count(0)
    sidebar.screenshot(f"error-unauthorized-{role}")


def test_not_configured_names_the_setting(
    sidebar: Sidebar, account: DemoAccount, make_preview: PreviewFactory
) -> None:
    """An installation without backend_url: the message names it, and nothing is requested."""
    proxied: list[str] = []

    def on_request(request: Request) -> None:
        if "/preview/proxy" in request.url:
            proxied.append(request.url)

    sidebar.page.on("request", on_request)
    sidebar.open(account.organization_ids[0], base_url=make_preview("").url)
    message = problem(sidebar, "not_configured")
    expect(message).to_be_visible()
    assert text(message.locator(".message__title")) == "App not set up"
    assert text(message.locator(".message__body")) == (
        "Ask your Zendesk admin to fill in “Backend URL” in the settings of the Customer Health "
        "app (Admin Center › Apps and integrations › Zendesk Support apps)."
    )
    sidebar.screenshot("not-configured")
    time.sleep(0.2)  # a request the app might still send would show up here
    assert proxied == []
    assert sidebar.errors == []

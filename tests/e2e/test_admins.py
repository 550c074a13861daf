"""What admins see and agents do not: settings problems, technical reasons (issue 9)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import Locator, expect

from backend.demo import BackgroundServer, DemoAccount

from .conftest import BackendFactory, HealthApi, PreviewFactory, Sidebar, wait_for_sync

pytestmark = pytest.mark.browser


def text(locator: Locator) -> str:
    return locator.text_content() or ""


@pytest.fixture
def mistyped_settings(
    account: DemoAccount, make_synced_backend: BackendFactory, make_preview: PreviewFactory
) -> Iterator[tuple[HealthApi, str]]:
    """The issue's example: red_threshold=90 and weight_sla=-1 in the installation's settings,
    read by a fresh backend (nothing cached) from the demo Zendesk."""
    settings = account.installation["settings"]
    before = dict(settings)
    settings.update({"red_threshold": "90", "weight_sla": "-1"})
    try:
        backend = make_synced_backend()
        api = HealthApi(backend.url, account.shared_secret, account.subdomain)
        yield api, make_preview(backend.url, labels=False).url
    finally:
        settings.clear()
        settings.update(before)


def test_admins_see_settings_problems_by_the_settings_name(
    sidebar: Sidebar, mistyped_settings: tuple[HealthApi, str], by_colour: dict[str, int]
) -> None:
    api, preview_url = mistyped_settings
    organization_id = by_colour["yellow"]
    report = api.report(organization_id)
    assert len(report["settings_warnings"]) == 2
    assert [p["setting"] for p in report["settings_problems"]] == ["weight_sla", "red_threshold"]

    sidebar.open(organization_id, base_url=preview_url, role="admin")
    box = sidebar.frame.locator('[data-state="settings-problems"]')
    expect(box).to_be_visible()
    assert text(box.locator(".settings-problems__title")) == "Settings need attention"
    assert [text(item) for item in box.locator("li").all()] == [
        "“Weight: SLA”: -1 is below the minimum of 0. The default 3 applies.",
        "“Red below score” (90) must not be above “Green from score” (70). The default 40 applies.",
    ]
    expect(box.get_by_role("heading", name="Settings need attention")).to_be_visible()
    sidebar.screenshot("admin-settings-problems", publish=True)

    sidebar.open(organization_id, base_url=preview_url, role="admin", locale="de")
    box = sidebar.frame.locator('[data-state="settings-problems"]')
    expect(box.locator("li")).to_have_count(2)
    assert [text(item) for item in box.locator("li").all()] == [
        "„Gewicht: SLA“: -1 liegt unter dem Minimum von 0. Es gilt der Standardwert 3.",
        "„Rot unter Score“ (90) darf nicht über „Grün ab Score“ (70) liegen. "
        "Es gilt der Standardwert 40.",
    ]
    assert sidebar.errors == []


def test_agents_do_not_see_settings_problems(
    sidebar: Sidebar, mistyped_settings: tuple[HealthApi, str], by_colour: dict[str, int]
) -> None:
    _, preview_url = mistyped_settings
    sidebar.open(by_colour["yellow"], base_url=preview_url, role="agent")
    expect(sidebar.state("report")).to_be_visible()
    expect(sidebar.frame.locator('[data-state="settings-problems"]')).to_have_count(0)


@pytest.fixture
def zendesk_failing(zendesk: BackgroundServer) -> Iterator[Callable[[], None]]:
    def fail() -> None:
        httpx.put(f"{zendesk.url}/_demo/faults", json={"rate_500": 1.0}).raise_for_status()

    yield fail
    httpx.put(f"{zendesk.url}/_demo/faults", json={}).raise_for_status()


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_a_stale_card_says_so_in_words_and_the_reason_only_to_admins(
    sidebar: Sidebar,
    make_synced_backend: BackendFactory,
    make_preview: PreviewFactory,
    account: DemoAccount,
    by_colour: dict[str, int],
    zendesk_failing: Callable[[], None],
    role: str,
) -> None:
    """The main path: the account sync fails after its first pass; answers come from the store,
    marked stale with the sync's reason and code."""
    backend = make_synced_backend(sync_interval_seconds=0.5)
    api = HealthApi(backend.url, account.shared_secret, account.subdomain)
    organization_id = by_colour["green"]
    api.report(organization_id)
    zendesk_failing()
    wait_for_sync(backend, account, state="failing", timeout=60)
    stale = api.stale_report(organization_id)
    assert stale["stale_code"] == "zendesk_unavailable" and stale["stale_reason"]

    sidebar.open(organization_id, base_url=make_preview(backend.url, labels=False).url, role=role)
    note = sidebar.frame.locator('[data-state="stale"]')
    expect(note).to_be_visible()
    assert text(note.locator("strong")) == "Showing the last known result."
    body = text(note.locator(".stale__body"))
    assert body == "Zendesk isn't answering right now, so these figures may be out of date."
    if role == "admin":
        assert text(note.locator("code")) == stale["stale_reason"]
    else:
        expect(note.locator(".message__detail")).to_have_count(0)
        assert "/api/v2" not in (note.text_content() or "")
        assert "answered" not in (note.text_content() or "")
    sidebar.screenshot(f"card-stale-{role}")
    backend.stop()  # its sync would keep asking the demo Zendesk twice a second

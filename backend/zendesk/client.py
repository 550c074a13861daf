"""The async Zendesk Support API client: one connection pool per tenant, few and polite calls.

Each call goes through the account's shared RateBudget, is retried by tenacity (exponential
backoff with full jitter, bounded in attempts and total time; Retry-After on 429), and ends in
a typed ZendeskError or a parsed, validated answer.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

import anyio
import httpx
import orjson
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from backend.observability.metrics import record_zendesk_call
from backend.scoring.facts import OrganizationFacts, TicketFacts
from backend.zendesk.auth import ZendeskAuth
from backend.zendesk.errors import (
    MalformedOrganization,
    TransientFailure,
    ZendeskAuthError,
    ZendeskNotFound,
    ZendeskRateLimited,
    ZendeskUnavailable,
)
from backend.zendesk.pages import (
    JsonObject,
    has_more,
    metric_sets_by_ticket,
    next_cursor,
    parse_or_skip,
)
from backend.zendesk.parse import as_int, parse_organization
from backend.zendesk.ratelimit import (
    EXPORT_BUCKET_HEADER,
    RateBudget,
    budget_for,
    parse_endpoint_limits,
    parse_rate_limit,
    parse_retry_after,
)

log = logging.getLogger(__name__)

PAGE_SIZE: Final = 100
# Bodies larger than this (export pages are a few MB) are decoded in a worker thread.
LARGE_BODY_BYTES: Final = 256 * 1024
USER_AGENT: Final = "customer-health/0.1"
_SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

# Told after each page: tickets kept so far, and the oldest updated_at read so far.
PageCallback = Callable[[int, datetime | None], Awaitable[None] | None]


def base_url_for(subdomain: str | None, url: str | None = None) -> str:
    """`ZENDESK_URL` when set, else `https://{ZENDESK_SUBDOMAIN}.zendesk.com`."""
    if url and url.strip():
        cleaned = url.strip().rstrip("/")
        if urlsplit(cleaned).scheme not in ("http", "https"):
            raise ValueError("ZENDESK_URL must start with http:// or https://")
        return cleaned
    name = (subdomain or "").strip().lower()
    if not _SUBDOMAIN.match(name):
        raise ValueError("ZENDESK_SUBDOMAIN must be a Zendesk subdomain such as 'acme'")
    return f"https://{name}.zendesk.com"


@dataclass(slots=True)
class ClientStats:
    """HTTP requests this client made (every attempt counts: Zendesk counts them too)."""

    requests: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    rate_limited: int = 0

    def record(self, kind: str) -> None:
        self.requests += 1
        self.by_kind[kind] += 1


@dataclass(frozen=True, slots=True)
class IncrementalPage:
    """One page of the account-wide incremental ticket export: (organization id, facts)."""

    tickets: list[tuple[int | None, TicketFacts]]
    after_cursor: str | None
    end_of_stream: bool


@dataclass(frozen=True, slots=True)
class OrganizationPage:
    """One page of the incremental organization export; `end_time` starts the next one."""

    organizations: list[OrganizationFacts]
    deleted: list[int]
    end_time: int | None
    end_of_stream: bool


class ZendeskClient:
    """A tenant's connection to Zendesk. Close it with `aclose()` or `async with`."""

    def __init__(
        self,
        base_url: str,
        auth: ZendeskAuth,
        *,
        timeout: float = 10.0,
        max_attempts: int = 4,
        max_retry_seconds: float = 30.0,
        budget: RateBudget | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retry_after: float | None = None,
        backoff_initial: float = 0.5,
        backoff_max: float = 8.0,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self.max_attempts = max(1, max_attempts)
        # Total time spent retrying (from the first attempt to the start of the last one);
        # one request timeout can come on top.
        self.max_retry_seconds = max_retry_seconds
        # The longest Retry-After we sleep through; a longer one raises ZendeskRateLimited.
        self.max_retry_after = max_retry_seconds if max_retry_after is None else max_retry_after
        self._budget = budget if budget is not None else budget_for(self.base_url)
        self._backoff = wait_random_exponential(multiplier=backoff_initial, max=backoff_max)
        self._sleep = sleep
        self.stats = ClientStats()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    @property
    def budget(self) -> RateBudget:
        return self._budget

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ZendeskClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"ZendeskClient(base_url={self.base_url!r}, auth={self._auth!r})"

    # --- Resources -------------------------------------------------------------------------

    async def get_organization_raw(self, org_id: int) -> JsonObject:
        body = await self._get(
            f"/api/v2/organizations/{org_id}",
            kind="organization",
            resource=f"organization {org_id}",
        )
        return _unwrap(body, "organization", f"organization {org_id}")

    async def get_organization(self, org_id: int) -> OrganizationFacts:
        return parse_organization(await self.get_organization_raw(org_id))

    async def count_organization_tickets(self, org_id: int) -> int:
        """Zendesk's (approximate, for progress) count of the organization's tickets."""
        body = await self._get(
            f"/api/v2/organizations/{org_id}/tickets/count",
            kind="ticket_count",
            resource=f"organization {org_id}",
            expect=("count", (dict, int, str)),
        )
        count = body["count"]
        value = as_int(count.get("value") if isinstance(count, dict) else count)
        if value is None or value < 0:
            raise ZendeskUnavailable(f"Zendesk sent no ticket count for organization {org_id}")
        return value

    async def list_installations(self) -> list[JsonObject]:
        """Every app installation of the account (other apps' too); secure settings never
        come back. Zendesk answers them all in one list."""
        body = await self._get(
            "/api/v2/apps/installations",
            kind="installations",
            resource="app installations",
            expect=("installations", list),
        )
        return [i for i in body["installations"] if isinstance(i, dict)]

    async def me(self) -> JsonObject:
        """The user behind the credentials (unwrapped from `{"user": ...}`)."""
        body = await self._get("/api/v2/users/me", kind="me", resource="current user")
        return _unwrap(body, "user", "current user")

    async def fetch_organization_tickets(
        self,
        org_id: int,
        *,
        updated_since: datetime,
        on_page: PageCallback | None = None,
    ) -> list[TicketFacts]:
        """The organization's tickets updated at or after `updated_since`, newest first.

        Pages are sorted by -updated_at, so the first page holding an older ticket is the last
        one needed: a warm refresh usually costs one call.
        """
        since = _aware(updated_since)
        path = f"/api/v2/organizations/{org_id}/tickets"
        params = {"page[size]": str(PAGE_SIZE), "sort": "-updated_at", "include": "metric_sets"}
        tickets: dict[int, TicketFacts] = {}
        seen_cursors: set[str] = set()
        oldest: datetime | None = None
        previous: datetime | None = None
        newest_first = True
        reached_older = False
        while True:
            body = await self._get(
                path,
                params=params,
                kind="tickets_page",
                resource=f"organization {org_id}",
                expect=("tickets", list),
            )
            page = self._parse_ticket_page(body)
            for ticket in page:
                # A server that ignores sort=-updated_at must be read to the end: an older
                # ticket then says nothing about the pages after it.
                if previous is not None and ticket.updated_at > previous:
                    newest_first = False
                previous = ticket.updated_at
                if ticket.updated_at >= since:
                    tickets.setdefault(ticket.id, ticket)  # keep the newest version
                else:
                    reached_older = True
            if page:
                oldest = min(oldest or page[-1].updated_at, *(t.updated_at for t in page))
            if on_page is not None:
                await _call(on_page, len(tickets), oldest)
            if (reached_older and newest_first) or not has_more(body):
                return list(tickets.values())
            cursor = next_cursor(body, path, seen_cursors)
            params = {**params, "page[after]": cursor}

    async def iter_organizations(self) -> AsyncIterator[OrganizationFacts]:
        """Every organization of the account (cursor pagination, 100 per page)."""
        path = "/api/v2/organizations"
        params = {"page[size]": str(PAGE_SIZE)}
        seen_cursors: set[str] = set()
        while True:
            body = await self._get(
                path,
                params=params,
                kind="organizations_page",
                resource="organizations",
                expect=("organizations", list),
            )
            for raw in body["organizations"]:
                try:
                    yield parse_organization(raw)
                except MalformedOrganization as error:
                    log.warning("Skipping an organization: %s", error)
            if not has_more(body):
                return
            params = {**params, "page[after]": next_cursor(body, path, seen_cursors)}

    async def incremental_tickets(
        self, start_time: int | None = None, cursor: str | None = None
    ) -> IncrementalPage:
        """One page of the cursor-based incremental ticket export (admins only; 10 calls/min).

        Archived tickets are in it, and deleted ones with status `deleted`."""
        params = {"include": "metric_sets"}
        if cursor:
            params["cursor"] = cursor
        elif start_time is not None:
            params["start_time"] = str(int(start_time))
        else:
            raise ValueError("incremental_tickets needs a start_time or a cursor")
        body = await self._get(
            "/api/v2/incremental/tickets/cursor",
            params=params,
            kind="incremental",
            resource="incremental ticket export",
            expect=("tickets", list),
        )
        # A thousand tickets take a while to read: off the event loop, so the sidebar
        # requests this process answers meanwhile are not held up.
        pairs = await anyio.to_thread.run_sync(_export_tickets, body)
        after = body.get("after_cursor")
        after_cursor = after if isinstance(after, str) and after else None
        end = body.get("end_of_stream")
        end_of_stream = end if isinstance(end, bool) else after_cursor is None
        return IncrementalPage(pairs, after_cursor, end_of_stream)

    async def incremental_organizations(self, start_time: int) -> OrganizationPage:
        """One page of the time-based incremental organization export (10 calls/min)."""
        body = await self._get(
            "/api/v2/incremental/organizations",
            params={"start_time": str(max(0, int(start_time)))},
            kind="incremental",
            resource="incremental organization export",
            expect=("organizations", list),
        )
        organizations: list[OrganizationFacts] = []
        deleted: list[int] = []
        for raw in body["organizations"]:
            if isinstance(raw, dict) and raw.get("deleted_at"):
                organization_id = as_int(raw.get("id"))
                if organization_id is not None:
                    deleted.append(organization_id)
                continue
            try:
                organizations.append(parse_organization(raw))
            except MalformedOrganization as error:
                log.warning("Skipping an organization: %s", error)
        end_time = as_int(body.get("end_time"))
        end = body.get("end_of_stream")
        # Zendesk's time-based exports always carry a next_page: only end_of_stream ends them.
        return OrganizationPage(
            organizations, deleted, end_time, end if isinstance(end, bool) else True
        )

    # --- Pages ------------------------------------------------------------------------------

    def _parse_ticket_page(self, body: JsonObject) -> list[TicketFacts]:
        metric_sets = metric_sets_by_ticket(body)
        parsed = (parse_or_skip(raw, metric_sets) for raw in body["tickets"])
        return [facts for facts in parsed if facts is not None]

    # --- HTTP -------------------------------------------------------------------------------

    async def _get(
        self,
        path: str,
        *,
        kind: str,
        resource: str,
        params: Mapping[str, str] | None = None,
        expect: tuple[str, type | tuple[type, ...]] | None = None,
    ) -> JsonObject:
        """GET a JSON object, retrying transient failures within the client's bounds."""
        refreshed = False

        async def attempt() -> JsonObject:
            nonlocal refreshed
            response = await self._send("GET", path, params, kind)
            if response.status_code == 401 and not refreshed and self._auth.forget_token():
                # An OAuth token can be revoked or expire early: fetch a new one, once.
                refreshed = True
                log.warning("GET %s -> 401; fetching a new OAuth token", path)
                response = await self._send("GET", path, params, kind)
            if len(response.content) > LARGE_BODY_BYTES:  # an export page: decode it aside
                return await anyio.to_thread.run_sync(
                    self._json, response, "GET", path, resource, expect
                )
            return self._json(response, "GET", path, resource, expect)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts) | stop_before_delay(self.max_retry_seconds),
            wait=self._wait,
            retry=retry_if_exception_type(TransientFailure),
            before_sleep=self._before_retry,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for retry_attempt in retrying:
                with retry_attempt:
                    return await attempt()
        except TransientFailure as failure:
            log.warning("Zendesk gave up: %s", failure)
            if failure.status == 429:
                raise ZendeskRateLimited(str(failure), failure.retry_after) from None
            raise
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _send(
        self, method: str, path: str, params: Mapping[str, str] | None, kind: str
    ) -> httpx.Response:
        await self._budget.acquire("incremental" if kind == "incremental" else "api")
        authorization = await self._auth.authorization(self._post_token)
        self.stats.record(kind)
        try:
            response = await self._http.request(
                method, path, params=params, headers={"Authorization": authorization}
            )
        except httpx.TimeoutException:
            record_zendesk_call(kind, "timeout")
            raise TransientFailure(f"{method} {path} timed out") from None
        except httpx.TransportError as error:
            record_zendesk_call(kind, "transport_error")
            raise TransientFailure(f"{method} {path} failed: {type(error).__name__}") from None
        record_zendesk_call(kind, response.status_code)
        export = parse_endpoint_limits(response.headers).get(EXPORT_BUCKET_HEADER)
        self._budget.observe(parse_rate_limit(response.headers), export)
        return response

    async def _post_token(self, path: str, body: dict[str, str]) -> httpx.Response:
        await self._budget.acquire()
        self.stats.record("oauth_token")
        response = await self._http.post(path, json=body)
        record_zendesk_call("oauth_token", response.status_code)
        return response

    def _json(
        self,
        response: httpx.Response,
        method: str,
        path: str,
        resource: str,
        expect: tuple[str, type | tuple[type, ...]] | None,
    ) -> JsonObject:
        status = response.status_code
        where = f"{method} {path} answered {status}"
        if status in (401, 403):
            log.warning("%s", where)
            raise ZendeskAuthError(_auth_message(status, resource, self._auth), status=status)
        if status == 404:
            log.warning("%s", where)
            raise ZendeskNotFound(resource)
        if status == 429 or status >= 500 or status == 408:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status == 429:
                self.stats.rate_limited += 1
                if retry_after is not None:
                    self._budget.pause(retry_after)  # every client of the account waits
                if retry_after is not None and retry_after > self.max_retry_after:
                    log.warning("%s with Retry-After %.0fs: too long to wait", where, retry_after)
                    raise ZendeskRateLimited(
                        f"Zendesk is rate limiting this account for {retry_after:.0f}s",
                        retry_after,
                    )
            raise TransientFailure(where, status=status, retry_after=retry_after)
        if status >= 300:
            log.warning("%s", where)
            raise ZendeskUnavailable(f"Zendesk rejected {method} {path} ({status})")
        try:
            # orjson: an export page is a few MB of JSON; it decodes them 3-5x faster.
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise TransientFailure(f"{where} with a body that is not JSON", status=status) from None
        if not isinstance(body, dict):
            raise TransientFailure(f"{where} with JSON that is not an object", status=status)
        if expect is not None:
            key, kinds = expect
            if not isinstance(body.get(key), kinds):
                raise TransientFailure(f"{where} without a usable '{key}'", status=status)
        return body

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, TransientFailure) and error.retry_after is not None:
            return error.retry_after
        return float(self._backoff(state))

    def _before_retry(self, state: RetryCallState) -> None:
        self.stats.retries += 1
        error = state.outcome.exception() if state.outcome is not None else None
        log.warning(
            "%s; retry %d in %.2fs", error, state.attempt_number, state.upcoming_sleep or 0.0
        )


def _export_tickets(body: JsonObject) -> list[tuple[int | None, TicketFacts]]:
    """An export page's tickets with their organization ids (malformed ones skipped)."""
    metric_sets = metric_sets_by_ticket(body)
    pairs: list[tuple[int | None, TicketFacts]] = []
    for raw in body["tickets"]:
        facts = parse_or_skip(raw, metric_sets)
        if facts is not None:
            pairs.append((as_int(raw.get("organization_id")), facts))
    return pairs


def _auth_message(status: int, resource: str, auth: ZendeskAuth) -> str:
    if status == 401:
        return f"Zendesk refused the credentials: check {auth.settings_hint}"
    return (
        f"Zendesk denied access to {resource} (403): the user behind {auth.settings_hint} "
        "lacks the permission (an admin or agent role is needed)"
    )


def _unwrap(body: JsonObject, key: str, resource: str) -> JsonObject:
    inner = body.get(key, body if "id" in body else None)
    if not isinstance(inner, dict):
        raise ZendeskUnavailable(f"Zendesk sent no {resource}")
    return inner


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


async def _call(on_page: PageCallback, fetched: int, oldest: datetime | None) -> None:
    result = on_page(fetched, oldest)
    if inspect.isawaitable(result):
        await result

"""Typed errors of the Zendesk client: the service maps each to one answer, never a crash."""

from __future__ import annotations


class ZendeskError(Exception):
    """Anything that went wrong talking to Zendesk. Messages never carry secrets."""


class ZendeskUnavailable(ZendeskError):
    """Zendesk did not answer usefully: 5xx, timeouts, connection errors, or garbage."""


class TransientFailure(ZendeskUnavailable):
    """One attempt failed in a way worth retrying (5xx, 429, timeout, garbage body).

    The client retries these; when it gives up, the last one reaches the caller, so callers
    only ever need to catch ZendeskUnavailable.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class MalformedTicket(ZendeskUnavailable):
    """One ticket lacks a usable id or created_at; the client skips it and carries on."""

    def __init__(self, field: str, ticket_id: object = None) -> None:
        self.field = field
        self.ticket_id = ticket_id
        # Keep a junk id short in the message so it cannot flood a log line.
        shown = repr(ticket_id) if len(repr(ticket_id)) <= 40 else repr(ticket_id)[:37] + "..."
        where = f" on ticket {shown}" if ticket_id is not None else ""
        super().__init__(f"Zendesk sent a ticket without a usable {field}{where}")


class MalformedOrganization(ZendeskUnavailable):
    """The organization lacks a usable id."""


class ZendeskRateLimited(ZendeskError):
    """429 with a Retry-After longer than we are willing to wait."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ZendeskAuthError(ZendeskError):
    """401/403: the credentials are wrong or lack permission; the message names the setting."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ZendeskNotFound(ZendeskError):
    """404 for a named resource (an organization, an installation...)."""

    def __init__(self, resource: str) -> None:
        super().__init__(f"Zendesk has no {resource}")
        self.resource = resource

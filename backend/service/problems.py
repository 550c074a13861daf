"""Why Zendesk could not be read, as the machine codes of docs/api.md (the app words them)."""

from __future__ import annotations

from typing import Final

from backend.service.clients import NoZendeskCredentials
from backend.zendesk.errors import ZendeskAuthError, ZendeskError, ZendeskRateLimited

ZENDESK_UNAVAILABLE: Final = "zendesk_unavailable"
ZENDESK_RATE_LIMITED: Final = "zendesk_rate_limited"
ZENDESK_CREDENTIALS: Final = "zendesk_credentials"
ZENDESK_NOT_CONFIGURED: Final = "zendesk_not_configured"


def problem_code(error: ZendeskError) -> str:
    if isinstance(error, NoZendeskCredentials):
        return ZENDESK_NOT_CONFIGURED
    if isinstance(error, ZendeskAuthError):
        return ZENDESK_CREDENTIALS
    if isinstance(error, ZendeskRateLimited) or getattr(error, "status", None) == 429:
        return ZENDESK_RATE_LIMITED
    return ZENDESK_UNAVAILABLE

"""Log set-up: readable lines, or one JSON object a line (LOG_FORMAT=json) carrying the id of
the request each line was written for.

The request id lives in a context variable that the request's middleware sets; asyncio tasks
and anyio's worker threads copy the context, so lines written by a route, its dependencies
and the fetch it starts all carry it. Records get it from a record factory, so every handler
sees it (also pytest's). Secrets never reach a log line: configuration holds them as
SecretStr and no component logs a token or a credential (tests/security grep for them).
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import Any, Final, Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]

TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME: Final = "customer-health"
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    record.request_id = request_id.get()
    return record


logging.setLogRecordFactory(_record_with_request_id)


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    )


def configure_logging(
    level: str, log_format: LogFormat = "text", *, stream: Any = sys.stderr
) -> None:
    """The root logger's handler (replacing one an earlier call made), at `level`."""
    handler = logging.StreamHandler(stream)
    formatter = json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet = max(logging.WARNING, root.level)
    # One line per HTTP request to Zendesk drowns everything else; the client logs what matters.
    # httpcore's DEBUG traces would also print every response's headers.
    logging.getLogger("httpx").setLevel(quiet)
    logging.getLogger("httpcore").setLevel(quiet)
    # The backend writes its own line per request (with its id, route and duration).
    logging.getLogger("uvicorn.access").setLevel(quiet)

"""Log set-up: readable lines, or one JSON object a line (LOG_FORMAT=json) carrying the id of
the request each line was written for.

The request id lives in a context variable that the request's middleware sets; asyncio tasks
and anyio's worker threads copy the context, so lines written by a route, its dependencies
and the fetch it starts all carry it. Records get it from a record factory, so every handler
sees it (also pytest's). Secrets never reach a log line: configuration holds them as
SecretStr and no component logs a token or a credential (tests/observability grep for them).
"""

from __future__ import annotations

import logging
import logging.config
from contextvars import ContextVar
from typing import Any, Final, Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]

TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
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


def logging_config(
    level: str, log_format: LogFormat = "text", *, stream: Any = "ext://sys.stderr"
) -> dict[str, Any]:
    """Logging for this process and (handed to uvicorn) for every worker it starts."""
    level = level.upper()
    quieter = logging.getLevelName(max(logging.WARNING, logging.getLevelName(level)))
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.json_formatter"} if log_format == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "line", "stream": stream}
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # One line per HTTP request to Zendesk drowns everything else; the client logs
            # what matters. httpcore's DEBUG traces would also print every answer's headers.
            "httpx": {"level": quieter},
            "httpcore": {"level": quieter},
            # uvicorn's own loggers propagate to the root handler instead of their own.
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            # The backend writes its own line per request (with its id, route and duration).
            "uvicorn.access": {"level": quieter, "handlers": [], "propagate": True},
        },
    }


def configure_logging(
    level: str, log_format: LogFormat = "text", *, stream: Any = "ext://sys.stderr"
) -> None:
    logging.config.dictConfig(logging_config(level, log_format, stream=stream))

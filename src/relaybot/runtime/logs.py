"""Structured logs with one trace id per update, from the gateway through worker and sender."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from sqlalchemy.engine import make_url

from relaybot.config import Settings

_SECRET_KEYS = re.compile(r"token|secret|password|authorization|cookie", re.IGNORECASE)
_BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@", re.IGNORECASE)
_known_secrets: set[str] = set()
MIN_SECRET_LENGTH = 6


def register_secrets(*values: str | None) -> None:
    """Values that are masked wherever they appear in a log line, whatever the key."""
    for value in values:
        if value and len(value) >= MIN_SECRET_LENGTH:
            _known_secrets.add(value)


def register_settings_secrets(settings: Settings) -> None:
    """Every secret an operator configured: admin and JWT secrets, bot tokens, DB password."""
    found = [settings.admin_token, settings.jwt_secret]
    for bot in settings.bots:
        found += [bot.token, bot.webhook_secret]
    register_secrets(*(s.get_secret_value() for s in found if s is not None))
    password = make_url(settings.database_url).password
    register_secrets(str(password) if password else None)


def scrub(text: str) -> str:
    text = _BOT_TOKEN.sub("***", text)
    text = _URL_PASSWORD.sub(r"\1***@", text)
    for secret in _known_secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def _redact(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Last line of defence: secrets never reach a log line, whatever a caller passed."""
    for key, value in list(event.items()):
        if _SECRET_KEYS.search(key) and key != "trace_id":
            event[key] = "***"
        elif isinstance(value, str):
            event[key] = scrub(value)
        elif value is not None and not isinstance(value, bool | int | float):
            text = str(value)
            cleaned = scrub(text)
            if cleaned != text:
                event[key] = cleaned
    return event


def configure_logging(level: str = "info", fmt: str = "console") -> None:
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),
            # Plain tracebacks: rich's would print every frame's locals (sessions, settings,
            # tokens) into the log, and walking them can take longer than the request did.
            exception_formatter=structlog.dev.plain_traceback,
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    _route_stdlib_logging(numeric, renderer)


def _route_stdlib_logging(level: int, renderer: Any) -> None:
    """Libraries (uvicorn, SQLAlchemy, aiogram) log through `logging`: give them the same
    redaction and format."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _redact,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    # Libraries speak only when something is wrong, as before they were routed here; their
    # INFO lines (Alembic's, httpx's request URLs with bot tokens) would only be noise.
    root.setLevel(max(level, logging.WARNING))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)

"""Telling "the store cannot take this now" (disk full, database or Redis down) from a bug.

Such a failure is nobody's fault and passes: the gateway answers 503 so the channel sends the
update again, and the worker waits and retries without counting it against the update. A
mistake in a query (SQLite calls those OperationalError too) is not one of them.
"""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError

_SQLITE_PASSING = (
    "database or disk is full",
    "database is locked",
    "disk i/o error",
    "unable to open database",
    "attempt to write a readonly database",
)
# PostgreSQL SQLSTATE classes: connection exception, insufficient resources (disk full, out
# of memory, too many connections), operator intervention (shutdown, starting up).
_POSTGRES_PASSING = ("08", "53", "57P")


def store_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the store cannot be reached or written, rather than a bug."""
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = str(getattr(exc.orig, "sqlstate", "") or "")
    if state.startswith(_POSTGRES_PASSING):
        return True
    message = str(exc.orig).lower()
    return any(sign in message for sign in _SQLITE_PASSING)

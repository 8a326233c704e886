"""Which failures mean the database or Redis did not answer: worth a retry, not our bug."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from tortoise.exceptions import DBConnectionError

_UNAVAILABLE_TYPES = (
    DBConnectionError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
    OSError,
)


# PostgreSQL's connection failures, and its shutting down or starting up (57P01-57P03).
_UNAVAILABLE_SQLSTATES = ("08", "57P")


def is_unavailable(error: BaseException | None) -> bool:
    """A failure to reach the database or Redis, seen through any chain of causes."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, _UNAVAILABLE_TYPES) or _asyncpg_unavailable(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _asyncpg_unavailable(error: BaseException) -> bool:
    if not type(error).__module__.startswith("asyncpg.exceptions"):
        return False
    name = type(error).__name__
    sqlstate = str(getattr(error, "sqlstate", None) or "")
    # A pooled connection whose server went away mid-operation can be handed out again before
    # asyncpg notices, and then fails with "cannot switch to state …" (InternalClientError).
    return (
        "Connection" in name
        or name == "InternalClientError"
        or sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    )

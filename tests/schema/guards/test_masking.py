"""Which failures a client is told to retry (``SERVICE_UNAVAILABLE``) and which are ours."""

import asyncpg
import pytest
from asyncpg.exceptions import InternalClientError
from redis.exceptions import ConnectionError as RedisConnectionError
from tortoise.exceptions import IntegrityError, OperationalError

from schema.core.outages import is_unavailable


def wrapped(error: BaseException) -> OperationalError:
    """As tortoise raises a driver's error: its own, caused by the driver's."""
    try:
        raise OperationalError("query failed") from error
    except OperationalError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        RedisConnectionError("Redis away"),
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
        wrapped(asyncpg.CannotConnectNowError("the database system is starting up")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_database_or_redis_out_of_reach_is_unavailable(error):
    assert is_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        asyncpg.UniqueViolationError("duplicate key"),
        asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
        wrapped(asyncpg.UndefinedColumnError('column "x" does not exist')),
        IntegrityError("duplicate key"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_anything_else_is_an_internal_error(error):
    assert not is_unavailable(error)

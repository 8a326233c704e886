"""Redis clients: a real server, or ``memory://`` for an in-process one (fakeredis, with Lua)."""

from __future__ import annotations

from typing import Any, TypeAlias

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

Redis: TypeAlias = "aioredis.Redis"
Pipeline: TypeAlias = "aioredis.client.Pipeline"

MEMORY_URL = "memory://"
# Connections one process opens to Redis at most, and how long a command waits for one of
# them when all are in use before it fails (``ConnectionError("No connection available.")``).
MAX_CONNECTIONS = 100
POOL_TIMEOUT = 10.0


def _queueing_pool(timeout: float) -> type[aioredis.BlockingConnectionPool]:
    """A pool class whose callers wait up to ``timeout`` s for a connection (fakeredis builds
    its pool itself from a class, and passes it no ``timeout``)."""

    class QueueingPool(aioredis.BlockingConnectionPool):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(timeout=timeout, **kwargs)

    return QueueingPool


def connect(
    url: str, *, max_connections: int = MAX_CONNECTIONS, pool_timeout: float = POOL_TIMEOUT
) -> Redis:
    """A client for ``url``; every value comes back as ``str``.

    When every pooled connection is in use, a command waits for one (up to ``pool_timeout``):
    redis-py's default pool fails at once instead (``MaxConnectionsError``), which turned a
    burst of requests into "the service is unavailable" while Redis answered in microseconds.
    """
    pool_class = _queueing_pool(pool_timeout)
    if url == MEMORY_URL:
        import fakeredis  # only the embedded mode needs it loaded

        return fakeredis.FakeAsyncRedis(
            decode_responses=True, max_connections=max_connections, connection_pool_class=pool_class
        )
    # A pooled connection left stale by a Redis restart fails on first use: retry on a new one,
    # so the first command after Redis returns is not lost (nor the event it published).
    pool = pool_class.from_url(
        url,
        max_connections=max_connections,
        decode_responses=True,
        health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
    return aioredis.Redis.from_pool(pool)


def probe_client(redis: Redis, url: str, timeout: float) -> Redis:
    """A client of one connection of its own, for the health check: whether Redis answers is
    then not mixed up with whether the main pool has a connection free. (The in-process Redis
    is ``redis`` itself: there is no other way to it.)"""
    if url == MEMORY_URL:
        return redis
    return aioredis.Redis.from_url(
        url,
        single_connection_client=True,
        decode_responses=True,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        # The one connection may be stale after a Redis restart: one retry on a new one.
        retry=Retry(NoBackoff(), 1),
        retry_on_error=[RedisConnectionError],
    )


def database_index(redis: Redis) -> int:
    """The database number ``redis`` talks to (0 for the in-process one)."""
    return int(redis.connection_pool.connection_kwargs.get("db", 0) or 0)

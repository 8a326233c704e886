"""Redis clients: a real server, or ``memory://`` for an in-process one (fakeredis, with Lua)."""

from __future__ import annotations

from typing import TypeAlias

import redis.asyncio as aioredis

Redis: TypeAlias = "aioredis.Redis"
Pipeline: TypeAlias = "aioredis.client.Pipeline"

MEMORY_URL = "memory://"


def connect(url: str) -> Redis:
    """A client for ``url``; every value comes back as ``str``."""
    if url == MEMORY_URL:
        import fakeredis  # only the embedded mode needs it loaded

        return fakeredis.FakeAsyncRedis(decode_responses=True)
    return aioredis.from_url(url, decode_responses=True, health_check_interval=30)


def database_index(redis: Redis) -> int:
    """The database number ``redis`` talks to (0 for the in-process one)."""
    return int(redis.connection_pool.connection_kwargs.get("db", 0) or 0)

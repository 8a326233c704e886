"""Redis clients: a real server, or ``memory://`` for an in-process one (fakeredis, with Lua)."""

from __future__ import annotations

from typing import TypeAlias

import redis.asyncio as aioredis

Redis: TypeAlias = "aioredis.Redis"

MEMORY_URL = "memory://"


def connect(url: str) -> Redis:
    """A client for ``url``; every value comes back as ``str``."""
    if url == MEMORY_URL:
        import fakeredis  # only the embedded mode needs it loaded

        return fakeredis.FakeAsyncRedis(decode_responses=True)
    return aioredis.from_url(url, decode_responses=True, health_check_interval=30)

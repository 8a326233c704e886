"""The Redis client's pool: callers over its size wait their turn, they are not refused."""

import asyncio

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from realtime.client import connect


async def test_commands_beyond_the_pool_wait_for_a_connection(backend):
    client = connect(backend.redis_url, max_connections=2, pool_timeout=10)
    try:
        # Each holds a connection for a moment (a blocking pop on an empty list).
        results = await asyncio.gather(
            *(client.blpop([f"o2o-test-nothing-{n}"], timeout=0.05) for n in range(20))
        )
    finally:
        await client.aclose()
    assert results == [None] * 20


async def test_a_caller_waits_no_longer_than_the_pool_timeout(backend):
    client = connect(backend.redis_url, max_connections=1, pool_timeout=0.2)
    pool = client.connection_pool
    try:
        held = await pool.get_connection()  # the pool's one connection, taken
        with pytest.raises(RedisConnectionError, match="No connection available"):
            await client.ping()
        await pool.release(held)
        assert await client.ping()
    finally:
        await client.aclose()

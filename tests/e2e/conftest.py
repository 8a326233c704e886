from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests import backends
from tests.backends import Backend
from tests.e2e.server import METRICS_TOKEN, Server, o2o

pytestmark = pytest.mark.e2e


@pytest_asyncio.fixture
async def fresh_env(backend: Backend, redis, tmp_path) -> AsyncIterator[dict[str, str]]:
    """Settings for a server of its own: a new database, migrated, and an emptied Redis.

    Redis is emptied because offer ids restart in every new database: a deadline left by an
    earlier test's server would share its key with this server's first offers.
    """
    if backend.is_postgres:
        url = await backends.create_postgres_database("o2o_e2e")
    else:
        url = backends.sqlite_url(tmp_path)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": backend.redis_url,
        "SECRET_KEY": "e2e-secret-key-that-is-long-enough",
        # Every e2e server signs in from 127.0.0.1 against one Redis database for the whole
        # run: the per-address budget is proven in tests/schema/guards/test_rate_limits.py instead.
        "LOGIN_ATTEMPTS_PER_ADDRESS": "0",
        # /metrics answers only a scraper that sends this token (tests/e2e/test_observability).
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    o2o(["migrate"], env)
    yield env
    if backend.is_postgres:
        await backends.drop_postgres_database(url)


@pytest_asyncio.fixture
async def server(fresh_env: dict[str, str]) -> AsyncIterator[Server]:
    o2o(["seed", "--demo"], fresh_env)
    srv = Server(env=fresh_env)
    await srv.start()
    yield srv
    srv.stop()

"""Fixtures shared by every suite: one database and one Redis per run, emptied per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from tortoise.context import TortoiseContext

from api.settings import AbuseLimits
from domain.access.tokens import TokenCodec
from domain.db import close_database, migrate, open_database
from domain.orders import Dispatch
from domain.principal import Principal
from domain.stores.network import store_index
from realtime.bus import EventBus
from realtime.client import Redis, connect
from realtime.clock import ManualClock
from realtime.deadlines import DeadlineQueue
from schema.core.context import Context, Services
from schema.root import build_schema
from tests import backends
from tests.backends import Backend

# The loyalty tests' shop (domain and schema alike) lives in its own module.
pytest_plugins = ["tests.counter"]

TABLES = [
    "message",
    "callback_task",
    "callback_day",
    "baby",
    "serial_scan",
    "diversion_alert",
    "shipped_unit",
    "shipment",
    "distributor_store",
    "distributor",
    "token_revocation",
    "activity_check_in",
    "voucher",
    "tier_change",
    "points_entry",
    "idempotency_key",
    "purchase_line",
    "purchase",
    "order_offer",
    "order_item",
    "orders",
    "member",
    "activity",
    "campaign",
    "staff",
    "admin",
    "product",
    "reward",
    "store",
]


def pytest_report_header() -> str:
    db = "PostgreSQL " + backends.PG_URL if backends.PG_URL else "SQLite"
    return f"o2o backends: {db} + Redis {backends.REDIS_URL}"


@pytest_asyncio.fixture(scope="session")
async def backend(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Backend]:
    await backends.check_redis(backends.REDIS_URL)
    if backends.PG_URL:
        url = await backends.create_postgres_database()
        yield Backend(url, backends.REDIS_URL)
        await backends.drop_postgres_database(url)
    else:
        yield Backend(backends.sqlite_url(tmp_path_factory.mktemp("db")), backends.REDIS_URL)


@pytest_asyncio.fixture(scope="session")
async def database(backend: Backend) -> AsyncIterator[TortoiseContext]:
    await migrate(backend.database_url)
    ctx = await open_database(backend.database_url)
    yield ctx
    await close_database(ctx)


@pytest_asyncio.fixture(scope="session")
async def redis_client(backend: Backend) -> AsyncIterator[Redis]:
    client = connect(backend.redis_url)
    yield client
    await client.aclose()


@pytest_asyncio.fixture
async def db(database: TortoiseContext) -> AsyncIterator[TortoiseContext]:
    """An empty database for one test."""
    conn = database.db()
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    else:
        for table in TABLES:
            await conn.execute_script(f'DELETE FROM "{table}"')
    yield database


@pytest_asyncio.fixture
async def redis(redis_client: Redis) -> Redis:
    """An empty Redis for one test."""
    await redis_client.flushdb()
    return redis_client


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest_asyncio.fixture
async def bus(redis: Redis) -> AsyncIterator[EventBus]:
    events = EventBus(redis)
    await events.start()
    yield events
    await events.close()


@pytest.fixture
def dispatch(redis: Redis, bus: EventBus, clock: ManualClock) -> Dispatch:
    """Order dispatch on a clock that moves only when a test says so; offers last 60 s."""
    return Dispatch(
        bus=bus,
        deadlines=DeadlineQueue(redis),
        stores=store_index(redis),
        clock=clock,
        offer_timeout=60.0,
    )


@pytest.fixture
def services(redis: Redis, dispatch: Dispatch) -> Services:
    return Services(
        tokens=TokenCodec("test-secret-key-of-32-characters!", 3600),
        redis=redis,
        store_index=dispatch.stores,
        bus=dispatch.bus,
        dispatch=dispatch,
        rate_limits=AbuseLimits().budgets(),
    )


@pytest.fixture(scope="session")
def schema() -> Any:
    return build_schema()


class GraphQLClient:
    """Runs operations through ``schema.execute`` as a given caller."""

    def __init__(self, schema: Any, services: Services) -> None:
        self.schema = schema
        self.services = services

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_: Principal | None = None,
        token: str | None = None,
    ) -> Any:
        if as_ is not None:
            token = self.services.tokens.issue(as_)
        context = Context.for_token(self.services, token)
        return await self.schema.execute(query, variable_values=variables, context_value=context)

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The result's data, failing the test on any GraphQL error."""
        result = await self.execute(query, variables, **kw)
        assert result.errors is None, result.errors
        return result.data


@pytest.fixture
def gql(db: TortoiseContext, schema: Any, services: Services) -> GraphQLClient:
    return GraphQLClient(schema, services)

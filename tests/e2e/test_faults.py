"""Redis and PostgreSQL stopped and started under a running server (private servers only)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
import pytest_asyncio

from domain.seed import MEMBER_PASSWORD, STAFF_PASSWORD, member_phone
from tests import backends
from tests.e2e.server import Server, o2o, poll
from tests.e2e.test_http import login
from tests.e2e.test_realtime import CLERK_TH01, OFFERS, PLACE, TIANHE
from tests.e2e.ws import graphql_socket, ws_url
from tests.faults import PrivatePostgres, PrivateRedis

OFFER_SECONDS = "3"


@pytest.fixture
def services_pass(backend):
    # Private servers need no shared one, but the fault tests belong to the services pass
    # (`make test-services`), so that they run once per `make test`.
    if not backend.is_postgres:
        pytest.skip("fault tests run in the PostgreSQL + Redis pass")
    return backend


async def place(server: Server, token: str, product: str) -> dict:
    variables = {
        "input": {
            "lines": [{"productId": product, "quantity": 1}],
            "deliveryAddress": "Tianhe Rd 1",
            "deliveryLocation": TIANHE,
        }
    }
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{server.url}/graphql",
            json={"query": PLACE, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
            timeout=15,
        )
    assert response.status_code == 200, response.text
    return response.json()


async def ready(server: Server) -> int:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{server.url}/healthz/ready", timeout=5)).status_code


@pytest_asyncio.fixture
async def redis_server() -> AsyncIterator[PrivateRedis]:
    redis = PrivateRedis()
    await redis.start()
    yield redis
    redis.close()


async def test_redis_stopped_and_started(services_pass, fresh_env, redis_server):
    env = fresh_env | {
        "REDIS_URL": redis_server.url,
        "OFFER_TIMEOUT_SECONDS": OFFER_SECONDS,
        "RECONCILE_SECONDS": "1",
    }
    o2o(["seed", "--demo"], env)
    server = Server(env=env)
    await server.start()
    try:
        member = await login(server, member_phone(1), MEMBER_PASSWORD)
        clerk = await login(server, CLERK_TH01, STAFF_PASSWORD, "STAFF")
        product = (await server.graphql("{ products { id } }"))["data"]["products"][0]["id"]
        async with graphql_socket(ws_url(server.url), clerk) as app:
            await app.subscribe(OFFERS)
            before = (await place(server, member, product))["data"]["orderPlace"]["order"]["id"]
            assert (await app.next_data())["orderOffers"]["order"]["id"] == before

            redis_server.stop()
            during = await place(server, member, product)
            assert during["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            assert await ready(server) == 503
            products = await server.graphql("{ products { id } }")  # the database still serves
            assert products["data"]["products"]

            await redis_server.start()  # empty: every deadline and geo entry is gone

            async def recovered() -> bool:
                return await ready(server) == 200

            await poll(recovered, timeout=20)
            # The open subscription carries on: the lost offer's deadline was rebuilt from
            # the database, so it expires and the app is told; new offers arrive too.
            withdrawn = (await app.next_data(timeout=30))["orderOffers"]
            assert (withdrawn["kind"], withdrawn["order"]["id"]) == ("WITHDRAWN", before)
            assert withdrawn["offer"]["status"] == "EXPIRED"
            after = (await place(server, member, product))["data"]["orderPlace"]["order"]["id"]
            offered = (await app.next_data(timeout=15))["orderOffers"]
            assert (offered["kind"], offered["order"]["id"]) == ("OFFERED", after)
        conn = await asyncpg.connect(backends._asyncpg_dsn(env["DATABASE_URL"]))
        try:
            rows = await conn.fetch(
                "SELECT order_id, store_id, COUNT(*) AS n FROM order_offer "
                "GROUP BY order_id, store_id HAVING COUNT(*) > 1"
            )
            orders = await conn.fetchval("SELECT COUNT(*) FROM orders")
        finally:
            await conn.close()
        assert rows == []  # no offer made twice to one store
        assert orders == 2  # the order refused during the outage was not written
    finally:
        server.stop()


@pytest_asyncio.fixture
async def postgres_server() -> AsyncIterator[PrivatePostgres]:
    postgres = PrivatePostgres()
    postgres.start()
    yield postgres
    postgres.close()


async def test_postgres_stopped_and_started_under_load(services_pass, postgres_server, tmp_path):
    conn = await asyncpg.connect(backends._asyncpg_dsn(postgres_server.server_url))
    await conn.execute("CREATE DATABASE o2o")
    await conn.close()
    env = {
        "DATABASE_URL": postgres_server.database_url("o2o"),
        "REDIS_URL": services_pass.redis_url,
        "SECRET_KEY": "fault-test-secret-key-long-enough!",
        "ORDER_PLACE_PER_MINUTE": "0",
        "LOGIN_ATTEMPTS_PER_ADDRESS": "0",
    }
    o2o(["migrate"], env)
    o2o(["seed", "--demo"], env)
    server = Server(env=env)
    await server.start()
    try:
        member = await login(server, member_phone(1), MEMBER_PASSWORD)
        product = (await server.graphql("{ products { id } }"))["data"]["products"][0]["id"]
        placed: list[str] = []
        refused: list[str] = []
        stop_load = asyncio.Event()

        async def load() -> None:
            while not stop_load.is_set():
                answer = await place(server, member, product)
                if answer.get("errors"):
                    refused.append(answer["errors"][0]["extensions"]["code"])
                else:
                    placed.append(answer["data"]["orderPlace"]["order"]["id"])

        loaders = [asyncio.create_task(load()) for _ in range(3)]

        async def some_placed() -> bool:
            return len(placed) >= 3

        await poll(some_placed)
        postgres_server.stop()

        async def some_refused() -> bool:
            return len(refused) >= 3

        await poll(some_refused)
        assert await ready(server) == 503
        postgres_server.start()
        during = len(placed)

        async def placing_again() -> bool:
            return len(placed) >= during + 3

        await poll(placing_again, timeout=30)
        stop_load.set()
        await asyncio.gather(*loaders)
        assert server.proc is not None
        assert server.proc.poll() is None  # the same process throughout: never restarted
        assert set(refused) == {"SERVICE_UNAVAILABLE"}
        assert await ready(server) == 200
    finally:
        server.stop()
    conn = await asyncpg.connect(backends._asyncpg_dsn(env["DATABASE_URL"]))
    try:
        orders = await conn.fetchval("SELECT COUNT(*) FROM orders")
        without_items = await conn.fetchval(
            "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS "
            "(SELECT 1 FROM order_item i WHERE i.order_id = o.id)"
        )
        pending_without_offer = await conn.fetchval(
            "SELECT COUNT(*) FROM orders o WHERE o.status = 'PENDING' AND NOT EXISTS "
            "(SELECT 1 FROM order_offer f WHERE f.order_id = o.id AND f.status = 'PENDING')"
        )
    finally:
        await conn.close()
    # Every order the API confirmed is there; an order is whole or absent. (One the database
    # committed just as it went away may exist unconfirmed: at most one per load task.)
    assert len(placed) <= orders <= len(placed) + len(loaders)
    assert (without_items, pending_without_offer) == (0, 0)

"""Redis and PostgreSQL stopped and started under a running server (private servers only)."""

from __future__ import annotations

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
from tests.faults import PrivateRedis

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
        clerk = await login(server, CLERK_TH01, STAFF_PASSWORD)
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

"""Offers over a real socket: graphql-transport-ws against `o2o serve`, as the store app does."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from tortoise.context import TortoiseContext
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from api.app import create_app
from api.serving import uvicorn_options
from api.settings import Settings
from domain.seed import MEMBER_PASSWORD, STAFF_PASSWORD, member_phone
from schema.core.context import Services
from tests import factories
from tests.e2e.server import Server, free_port, o2o, poll
from tests.e2e.test_http import login
from tests.e2e.ws import PROTOCOL, graphql_socket, ws_url

TIANHE = {"latitude": 23.1375, "longitude": 113.3238}  # home store of member 1: GZ-TH01
CLERK_TH01, CLERK_ZJ02 = "13800000102", "13800000202"
OFFERS = "subscription { orderOffers { kind offer { id status expiresAt } order { id } } }"
UPDATED = "subscription($id: ID!) { orderUpdated(id: $id) { status store { code } } }"
PLACE = """
mutation($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id status store { code } } errors { code } }
}
"""


async def place_order(server: Server, token: str) -> str:
    products = await server.graphql("{ products { id sku } }")
    product = products["data"]["products"][0]["id"]
    data = await server.graphql(
        PLACE,
        {
            "input": {
                "lines": [{"productId": product, "quantity": 1}],
                "deliveryAddress": "Tianhe Rd 1",
                "deliveryLocation": TIANHE,
            }
        },
        token,
    )
    payload = data["data"]["orderPlace"]
    assert payload["errors"] == [], payload
    return payload["order"]["id"]


async def started(env: dict[str, str], **extra: str) -> Server:
    o2o(["seed", "--demo"], env)
    server = Server(env=env | extra)
    await server.start()
    return server


async def subscriptions_open(server: Server) -> int:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{server.url}/healthz")).json()["subscriptions"]


@pytest.mark.parametrize(
    "payload", [None, {"Authorization": "Bearer forged.token.here"}, {"Authorization": "Basic abc"}]
)
async def test_a_socket_without_a_valid_token_is_refused(server, payload):
    async with connect(ws_url(server.url), subprotocols=[PROTOCOL]) as conn:  # type: ignore[list-item]
        init = {"type": "connection_init"} | ({"payload": payload} if payload else {})
        await conn.send(json.dumps(init))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(conn.recv(), 10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_an_unanswered_offer_moves_to_the_next_store_and_the_member_sees_it(fresh_env):
    server = await started(fresh_env, OFFER_TIMEOUT_SECONDS="1.5")
    try:
        member = await login(server, member_phone(1), MEMBER_PASSWORD)
        first_clerk = await login(server, CLERK_TH01, STAFF_PASSWORD, "STAFF")
        next_clerk = await login(server, CLERK_ZJ02, STAFF_PASSWORD, "STAFF")
        url = ws_url(server.url)
        async with (
            graphql_socket(url, first_clerk) as first,
            graphql_socket(url, next_clerk) as nxt,
        ):
            await first.subscribe(OFFERS)
            await nxt.subscribe(OFFERS)
            sent = time.monotonic()
            order_id = await place_order(server, member)
            offered = (await first.next_data())["orderOffers"]
            latency = time.monotonic() - sent
            assert (offered["kind"], offered["order"]["id"]) == ("OFFERED", order_id)
            assert latency < 1.0, f"offer took {latency:.3f}s"
            async with graphql_socket(url, member) as follower:
                await follower.subscribe(UPDATED, {"id": order_id})
                assert (await follower.next_data())["orderUpdated"]["store"]["code"] == "GZ-TH01"
                withdrawn = (await first.next_data())["orderOffers"]
                assert (withdrawn["kind"], withdrawn["offer"]["status"]) == ("WITHDRAWN", "EXPIRED")
                moved = (await nxt.next_data())["orderOffers"]
                assert (moved["kind"], moved["order"]["id"]) == ("OFFERED", order_id)
                assert (await follower.next_data())["orderUpdated"]["store"]["code"] == "GZ-ZJ02"
                accept = await server.graphql(
                    "mutation($id: ID!) { orderAccept(id: $id) { order { status } } }",
                    {"id": order_id},
                    next_clerk,
                )
                assert accept["data"]["orderAccept"]["order"]["status"] == "ACCEPTED"
                assert (await follower.next_data())["orderUpdated"]["status"] == "ACCEPTED"
    finally:
        server.stop()


async def test_a_reconnecting_app_gets_its_pending_offers_again(server):
    member = await login(server, member_phone(1), MEMBER_PASSWORD)
    clerk = await login(server, CLERK_TH01, STAFF_PASSWORD, "STAFF")
    order_id = await place_order(server, member)
    for _ in range(2):
        async with graphql_socket(ws_url(server.url), clerk) as app:
            await app.subscribe(OFFERS)
            replayed = (await app.next_data())["orderOffers"]
            assert (replayed["kind"], replayed["order"]["id"]) == ("OFFERED", order_id)


async def test_a_client_that_vanishes_leaves_no_subscription_behind(server):
    clerk = await login(server, CLERK_TH01, STAFF_PASSWORD, "STAFF")
    conn = await connect(ws_url(server.url), subprotocols=[PROTOCOL])  # type: ignore[list-item]
    await conn.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {clerk}"}})
    )
    assert json.loads(await conn.recv())["type"] == "connection_ack"
    await conn.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": OFFERS}}))

    async def opened():
        return await subscriptions_open(server) == 1

    await poll(opened)
    conn.transport.abort()  # no close frame: the socket just dies

    async def closed():
        return await subscriptions_open(server) == 0

    assert await poll(closed)


async def test_two_api_processes_deliver_each_others_events(fresh_env, backend):
    if backend.redis_url == "memory://":
        pytest.skip("the in-process Redis is one process's memory; two processes need a real one")
    one = await started(fresh_env)
    two = Server(env=fresh_env)
    await two.start()
    try:
        member = await login(one, member_phone(1), MEMBER_PASSWORD)
        clerk = await login(two, CLERK_TH01, STAFF_PASSWORD, "STAFF")
        async with graphql_socket(ws_url(two.url), clerk) as app:
            await app.subscribe(OFFERS)
            order_id = await place_order(one, member)
            event = (await app.next_data())["orderOffers"]
            assert (event["kind"], event["order"]["id"]) == ("OFFERED", order_id)
    finally:
        one.stop()
        two.stop()


@asynccontextmanager
async def in_process(services: Services, db: TortoiseContext) -> AsyncIterator[str]:
    """The real app and uvicorn (with ``o2o serve``'s WebSocket protocol) in this event loop,
    on the test's services, so that its tasks can be counted; its URL."""
    settings = Settings(secret_key="in-process-secret-key-long-enough!", explorer=False)
    app = create_app(settings)
    app.state.services = services
    app.state.db_client = db.db()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free_port(),
        lifespan="off",
        log_config=None,
        access_log=False,
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())

    async def up() -> bool:
        assert not serving.done(), "the in-process server stopped"
        return server.started

    try:
        await poll(up, timeout=10)
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 10)


def _pending(tasks: set[asyncio.Task]) -> list[str]:
    """What the tasks still running run, by name."""
    return sorted(getattr(t.get_coro(), "__qualname__", repr(t)) for t in tasks if not t.done())


async def test_a_vanished_client_leaves_no_task_behind(db, services):
    """The test above, in this process, where tasks can be seen: once the socket dies, its
    subscription is gone and so is every task it or its subscription started (the server's
    and the client's alike)."""
    store = await factories.store()
    clerk = services.tokens.issue(factories.as_staff(await factories.staff(store)))
    async with in_process(services, db) as url:
        before = asyncio.all_tasks()
        conn = await connect(ws_url(url), subprotocols=[PROTOCOL])  # type: ignore[list-item]
        await conn.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {clerk}"}})
        )
        assert json.loads(await conn.recv())["type"] == "connection_ack"
        await conn.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": OFFERS}}))

        async def subscribed() -> bool:
            return services.bus.subscriber_count == 1

        await poll(subscribed)
        started = asyncio.all_tasks() - before
        # The socket's and the subscription's own tasks, as uvicorn and strawberry name them.
        assert {
            "WebSocketsSansIOProtocol.run_asgi",
            "BaseGraphQLTransportWSHandler.run_operation",
        } <= set(_pending(started)), _pending(started)
        conn.transport.abort()  # no close frame: the socket just dies

        async def all_gone() -> bool:
            left = _pending(asyncio.all_tasks() - before)
            return services.bus.subscriber_count == 0 and not left

        try:
            await poll(all_gone, timeout=10)
        except AssertionError:
            left = _pending(asyncio.all_tasks() - before)
            count = services.bus.subscriber_count
            raise AssertionError(f"left behind: tasks {left}, {count} subscriptions") from None

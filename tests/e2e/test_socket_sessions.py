"""An open WebSocket is held to the rules of every HTTP request: sign-out, staff removal and
expiry close it within a second, on every API process, and nothing it sends afterwards runs."""

import asyncio
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from domain.enums import OrderStatus
from domain.orders.models import Order
from domain.people.models import Member
from domain.seed import MEMBER_PASSWORD, STAFF_PASSWORD, member_phone
from schema.core.relay import to_global_id
from tests import factories
from tests.e2e.server import Server, poll
from tests.e2e.test_http import login
from tests.e2e.test_realtime import (
    CLERK_TH01,
    OFFERS,
    in_process,
    place_order,
    started,
    subscriptions_open,
)
from tests.e2e.ws import PROTOCOL, graphql_socket, ws_url
from tests.orders_helpers import place, stores_east

MANAGER_TH01 = "13800000101"
REVOKE = "mutation { tokenRevoke { revoked } }"
REMOVE = "mutation($id: ID!) { staffRemove(id: $id) { staff { id } errors { code } } }"
STAFF_ID = "{ viewer { staff { id } } }"
ACCEPT = "mutation($id: ID!) { orderAccept(id: $id) { order { status } errors { code } } }"
RECORD = """
mutation($input: PurchaseRecordInput!) {
  purchaseRecord(input: $input) { entry { id } errors { code } }
}
"""
# A socket is closed this soon after its token stops working.
PROMPTLY = 1.0


async def _read_until_closed(conn: ClientConnection, timeout: float) -> None:
    while True:
        message = json.loads(await asyncio.wait_for(conn.recv(), timeout))
        if message["type"] == "ping":
            await conn.send(json.dumps({"type": "pong"}))
        assert message["type"] != "next", f"answered after the token was refused: {message}"


async def closed(conn: ClientConnection, timeout: float = 10) -> tuple[int, str, float]:
    """Wait for the server to close ``conn``: its code, its reason and when (monotonic).

    Fails on any ``next`` message meanwhile: nothing is answered once the token is refused.
    """
    with pytest.raises(ConnectionClosed) as gone:
        await _read_until_closed(conn, timeout)
    at = time.monotonic()
    frame = gone.value.rcvd
    assert frame is not None, "the connection dropped without a close frame"
    return frame.code, frame.reason, at


async def still_open(conn: ClientConnection) -> bool:
    """A ping answered: the socket still serves."""
    await conn.send(json.dumps({"type": "ping"}))
    while True:
        message = json.loads(await asyncio.wait_for(conn.recv(), 5))
        if message["type"] == "pong":
            return True


async def _subscribed(server: Server, count: int) -> None:
    async def opened() -> bool:
        return await subscriptions_open(server) == count

    await poll(opened)


async def test_signing_out_closes_the_socket_of_that_token_only(server):
    token = await login(server, CLERK_TH01, STAFF_PASSWORD, "STAFF")
    other = await login(server, CLERK_TH01, STAFF_PASSWORD, "STAFF")
    url = ws_url(server.url)
    async with graphql_socket(url, token) as app, graphql_socket(url, other) as kept:
        await app.subscribe(OFFERS)
        await kept.subscribe(OFFERS)
        await _subscribed(server, 2)
        sent = time.monotonic()
        revoked = await server.graphql(REVOKE, token=token)
        assert revoked["data"]["tokenRevoke"]["revoked"] is True
        code, reason, at = await closed(app.conn)
        assert (code, reason) == (4401, "The token was revoked; sign in again.")
        assert at - sent < PROMPTLY, f"closed {at - sent:.3f}s after the sign-out"
        assert await still_open(kept.conn)


async def test_removing_a_clerk_closes_their_sockets(server):
    clerk = await login(server, CLERK_TH01, STAFF_PASSWORD, "STAFF")
    manager = await login(server, MANAGER_TH01, STAFF_PASSWORD, "STAFF")
    staff_id = (await server.graphql(STAFF_ID, token=clerk))["data"]["viewer"]["staff"]["id"]
    url = ws_url(server.url)
    async with graphql_socket(url, clerk) as app, graphql_socket(url, manager) as own:
        await app.subscribe(OFFERS)
        await _subscribed(server, 1)
        sent = time.monotonic()
        removed = await server.graphql(REMOVE, {"id": staff_id}, manager)
        assert removed["data"]["staffRemove"]["errors"] == [], removed
        code, reason, at = await closed(app.conn)
        assert code == 4403
        assert "removed" in reason
        assert at - sent < PROMPTLY, f"closed {at - sent:.3f}s after the removal"
        assert await still_open(own.conn)


async def test_a_socket_closes_when_its_token_expires(fresh_env):
    server = await started(fresh_env, TOKEN_TTL_SECONDS="2")
    try:
        token = await login(server, CLERK_TH01, STAFF_PASSWORD, "STAFF")
        expires = jwt.decode(token, options={"verify_signature": False})["exp"]
        async with graphql_socket(ws_url(server.url), token) as app:
            await app.subscribe(OFFERS)
            code, reason, at = await closed(app.conn)
            wall = time.time() - (time.monotonic() - at)
        assert (code, reason) == (4401, "The token has expired; sign in again.")
        assert expires - 0.1 <= wall < expires + PROMPTLY, f"closed at {wall - expires:+.3f}s"
    finally:
        server.stop()


async def test_nothing_sent_after_the_sign_out_runs(server):
    """An accept sent on the socket right after its token was revoked is refused."""
    member = await login(server, member_phone(1), MEMBER_PASSWORD)
    clerk = await login(server, CLERK_TH01, STAFF_PASSWORD, "STAFF")
    order_id = await place_order(server, member)
    async with graphql_socket(ws_url(server.url), clerk) as app:
        await server.graphql(REVOKE, token=clerk)
        try:
            await app.subscribe(ACCEPT, {"id": order_id})
        except ConnectionClosed:
            pass  # closed before the accept could be sent: refused all the same
        else:
            assert (await closed(app.conn))[0] == 4401
    query = "query($id: ID!) { order(id: $id) { status } }"
    order = await server.graphql(query, {"id": order_id}, member)
    assert order["data"]["order"]["status"] == "PENDING"


def _two_process_redis(backend: Any) -> None:
    if backend.redis_url == "memory://":
        pytest.skip("the in-process Redis is one process's memory; two processes need a real one")


async def test_signing_out_on_one_process_closes_the_socket_on_another(fresh_env, backend):
    _two_process_redis(backend)
    one = await started(fresh_env)
    two = Server(env=fresh_env)
    await two.start()
    try:
        clerk = await login(two, CLERK_TH01, STAFF_PASSWORD, "STAFF")
        async with graphql_socket(ws_url(two.url), clerk) as app:
            await app.subscribe(OFFERS)
            await _subscribed(two, 1)
            sent = time.monotonic()
            await one.graphql(REVOKE, token=clerk)
            code, _, at = await closed(app.conn)
            assert code == 4401
            assert at - sent < PROMPTLY, f"closed {at - sent:.3f}s after the sign-out"
    finally:
        one.stop()
        two.stop()


async def test_removing_staff_on_one_process_closes_their_socket_on_another(fresh_env, backend):
    _two_process_redis(backend)
    one = await started(fresh_env)
    two = Server(env=fresh_env)
    await two.start()
    try:
        clerk = await login(two, CLERK_TH01, STAFF_PASSWORD, "STAFF")
        manager = await login(one, MANAGER_TH01, STAFF_PASSWORD, "STAFF")
        staff_id = (await two.graphql(STAFF_ID, token=clerk))["data"]["viewer"]["staff"]["id"]
        async with graphql_socket(ws_url(two.url), clerk) as app:
            await app.subscribe(OFFERS)
            await _subscribed(two, 1)
            sent = time.monotonic()
            await one.graphql(REMOVE, {"id": staff_id}, manager)
            code, _, at = await closed(app.conn)
            assert code == 4403
            assert at - sent < PROMPTLY, f"closed {at - sent:.3f}s after the removal"
    finally:
        one.stop()
        two.stop()


@pytest.mark.parametrize("operation", ["orderAccept", "purchaseRecord"])
async def test_each_operation_on_a_socket_checks_the_token_again(db, services, operation):
    """The app below runs without its lifespan, so no revocation message reaches its sockets
    (as when one is lost): only the check at each ``subscribe`` stands between a revoked token
    and the order or the sale."""
    (store,) = await stores_east(services.dispatch, 1.0)
    member = await factories.member(home=store)
    placed = await place(services.dispatch, factories.as_member(member), await factories.product())
    clerk = services.tokens.issue(factories.as_staff(await factories.staff(store)))
    variables: dict[str, Any]
    if operation == "orderAccept":
        document, variables = ACCEPT, {"id": to_global_id("Order", placed.order.id)}
    else:
        line = {"productId": to_global_id("Product", (await factories.product()).id), "quantity": 1}
        variables = {
            "input": {
                "memberId": to_global_id("Member", member.id),
                "lines": [line],
                "idempotencyKey": "after-sign-out",
            }
        }
        document = RECORD
    async with (
        in_process(services, db) as url,
        connect(ws_url(url), subprotocols=[PROTOCOL]) as conn,  # type: ignore[list-item]
    ):
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {clerk}"}}
        await conn.send(json.dumps(init))
        assert json.loads(await conn.recv())["type"] == "connection_ack"
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{url}/graphql",
                json={"query": REVOKE},
                headers={"Authorization": f"Bearer {clerk}"},
            )
        assert response.json()["data"]["tokenRevoke"]["revoked"] is True
        payload = {"query": document, "variables": variables}
        await conn.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        code, reason, _ = await closed(conn)
    assert (code, reason) == (4401, "The token was revoked; sign in again.")
    assert (await Order.get(id=placed.order.id)).status is OrderStatus.PENDING
    assert (await Member.get(id=member.id)).points_balance == 0

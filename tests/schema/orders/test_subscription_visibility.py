"""A store that declined an order follows it no further: subscriptions see what queries see.

``order(id)`` answers null to the clerk of a store that declined the order; ``orderUpdated``
must refuse them the same way, at subscribe time and at every later event, and neither the
decline's payload nor the offer's WITHDRAWN event may say where the order went next.
"""

import asyncio

import pytest
import strawberry

from domain.stores.models import Store
from schema.core.context import Context
from schema.core.relay import to_global_id
from tests import factories
from tests.schema.orders import test_orders
from tests.schema.orders.test_orders import DECLINE, PLACE, place_input, subscribe

world = test_orders.world  # the fixture: stores A (nearer) and B, a member, their clerks

FOLLOW = """
subscription($id: ID!) {
  orderUpdated(id: $id) { id status store { code } member { phone name pointsBalance } }
}
"""
ORDER = "query($id: ID!) { order(id: $id) { id } }"
ACCEPT = "mutation($id: ID!) { orderAccept(id: $id) { order { status } errors { code } } }"
# The fast path projects fields without resolvers; ``store`` takes the ordinary path.
PROJECTED = "subscription { orderOffers { kind offer { status } order { id status acceptedAt } } }"
EXECUTED = (
    "subscription { orderOffers { kind offer { status } order { id status store { code } } } }"
)


async def _placed(gql, world) -> str:
    data = await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    return data["orderPlace"]["order"]["id"]


async def test_a_store_that_declined_cannot_start_following_the_order(gql, world):
    order_id = await _placed(gql, world)
    await gql.data(DECLINE, {"id": order_id}, as_=world["clerk_a"])
    assert (await gql.data(ORDER, {"id": order_id}, as_=world["clerk_a"]))["order"] is None
    stream = await subscribe(gql, FOLLOW, {"id": order_id}, world["clerk_a"])
    first = await asyncio.wait_for(anext(stream), 5)
    assert first.data is None
    assert [e.extensions["code"] for e in first.errors] == ["NOT_FOUND"]
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), 5)
    assert gql.services.bus.subscriber_count == 0


async def test_a_store_following_an_order_is_told_when_it_is_no_longer_theirs(gql, world):
    order_id = await _placed(gql, world)
    stream = await subscribe(gql, FOLLOW, {"id": order_id}, world["clerk_a"])
    first = await asyncio.wait_for(anext(stream), 5)
    assert first.data["orderUpdated"]["store"]["code"] == world["stores"][0].code
    await gql.data(DECLINE, {"id": order_id}, as_=world["clerk_a"])
    after = await asyncio.wait_for(anext(stream), 5)
    assert after.data is None, "the stream still shows the order after the decline"
    assert [e.extensions["code"] for e in after.errors] == ["NOT_FOUND"]
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), 5)
    assert gql.services.bus.subscriber_count == 0
    # The member and store B still follow it.
    member = await subscribe(gql, FOLLOW, {"id": order_id}, world["member"])
    seen = await asyncio.wait_for(anext(member), 5)
    assert seen.data["orderUpdated"]["store"]["code"] == world["stores"][1].code
    await member.aclose()


async def test_the_decline_payload_does_not_say_where_the_order_went(gql, world):
    order_id = await _placed(gql, world)
    declined = await gql.data(DECLINE, {"id": order_id}, as_=world["clerk_a"])
    assert declined["orderDecline"] == {"order": None, "errors": []}
    # The store that got it next sees it in its own accept's payload.
    accepted = await gql.data(ACCEPT, {"id": order_id}, as_=world["clerk_b"])
    assert accepted["orderAccept"] == {"order": {"status": "ACCEPTED"}, "errors": []}


def _context(gql, principal) -> Context:
    return Context.for_token(gql.services, gql.services.tokens.issue(principal))


@pytest.mark.parametrize("b_open", [True, False], ids=["moved-on", "unassigned"])
@pytest.mark.parametrize("path", ["served", "executed"])
async def test_a_withdrawn_offer_shows_the_order_as_it_was_offered(gql, world, path, b_open):
    """The WITHDRAWN event carries the order as the store last saw it: neither the store it
    went to next nor what became of it (no store left: UNASSIGNED)."""
    if not b_open:
        await Store.filter(id=world["stores"][1].id).update(accepting_orders=False)
    order_id = await _placed(gql, world)
    document = PROJECTED if path == "served" else EXECUTED
    stream = strawberry.Schema.stream if path == "executed" else type(gql.schema).stream
    offers = await stream(gql.schema, document, context_value=_context(gql, world["clerk_a"]))
    offered = (await asyncio.wait_for(anext(offers), 5)).data["orderOffers"]
    assert offered["order"]["id"] == order_id
    await gql.data(DECLINE, {"id": order_id}, as_=world["clerk_a"])
    withdrawn = (await asyncio.wait_for(anext(offers), 5)).data["orderOffers"]
    await offers.aclose()
    assert (withdrawn["kind"], withdrawn["offer"]["status"]) == ("WITHDRAWN", "DECLINED")
    order = withdrawn["order"]
    assert (order["id"], order["status"]) == (order_id, "PENDING")
    if path == "executed":
        assert order["store"] == {"code": world["stores"][0].code}
    else:
        assert order["acceptedAt"] is None


ADMIN_OFFERS = """
subscription($s: ID) {
  orderOffers(storeId: $s) { kind offer { status } order { id status store { code } } }
}
"""


async def test_an_admin_following_a_store_s_offers_sees_where_the_order_went(gql, world):
    admin = factories.as_admin(await factories.admin())
    order_id = await _placed(gql, world)
    offers = await gql.schema.subscribe(
        ADMIN_OFFERS,
        variable_values={"s": to_global_id("Store", world["stores"][0].id)},
        context_value=_context(gql, admin),
    )
    assert (await asyncio.wait_for(anext(offers), 5)).data["orderOffers"]["kind"] == "OFFERED"
    await gql.data(DECLINE, {"id": order_id}, as_=world["clerk_a"])
    withdrawn = (await asyncio.wait_for(anext(offers), 5)).data["orderOffers"]
    await offers.aclose()
    assert withdrawn["order"]["store"] == {"code": world["stores"][1].code}

"""Order operations and subscriptions through schema.execute / schema.subscribe."""

import asyncio

import pytest

from domain.enums import OrderStatus
from domain.orders.models import Order
from schema.core.context import Context
from schema.core.relay import to_global_id
from tests import factories
from tests.e2e.server import poll
from tests.orders_helpers import HOME, stores_east

PLACE = """
mutation($input: OrderPlaceInput!) {
  orderPlace(input: $input) {
    order { id number status total store { code } items { quantity unitPrice product { sku } }
            currentOffer { status expiresAt } }
    errors { code field message }
  }
}
"""
ACT = """
mutation($id: ID!) {
  accept: orderAccept(id: $id) { order { status } errors { code } }
}
"""
DECLINE = """
mutation($id: ID!, $reason: String) {
  orderDecline(id: $id, reason: $reason) { order { status store { code } } errors { code } }
}
"""
OFFERS = """
subscription($storeId: ID) {
  orderOffers(storeId: $storeId) { kind offer { id status } order { id number } }
}
"""
UPDATED = "subscription($id: ID!) { orderUpdated(id: $id) { status store { code } } }"


def place_input(product_id, quantity=1, **extra):
    return {
        "input": {
            "lines": [{"productId": product_id, "quantity": quantity}],
            "deliveryAddress": "8 Customer Road",
            "deliveryLocation": {"latitude": HOME[0], "longitude": HOME[1]},
        }
        | extra
    }


@pytest.fixture
async def world(gql, dispatch):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    product = await factories.product("128.00")
    member = await factories.member()
    return {
        "stores": (a, b),
        "product": to_global_id("Product", product.id),
        "member": factories.as_member(member),
        "clerk_a": factories.as_staff(await factories.staff(a)),
        "clerk_b": factories.as_staff(await factories.staff(b)),
    }


async def subscribe(gql, query, variables, principal):
    context = Context.for_token(gql.services, gql.services.tokens.issue(principal))
    return await gql.schema.subscribe(query, variable_values=variables, context_value=context)


async def test_place_accept_and_follow_an_order(gql, world):
    placed = (await gql.data(PLACE, place_input(world["product"], 2), as_=world["member"]))[
        "orderPlace"
    ]
    assert placed["errors"] == []
    order = placed["order"]
    assert (order["status"], order["total"], order["store"]["code"]) == (
        "PENDING",
        "256.00",
        world["stores"][0].code,
    )
    assert order["items"] == [
        {
            "quantity": 2,
            "unitPrice": "128.00",
            "product": {"sku": order["items"][0]["product"]["sku"]},
        }
    ]
    updates = await subscribe(gql, UPDATED, {"id": order["id"]}, world["member"])
    first = await anext(updates)
    assert first.data["orderUpdated"]["status"] == "PENDING"
    accepted = await gql.data(ACT, {"id": order["id"]}, as_=world["clerk_a"])
    assert accepted["accept"] == {"order": {"status": "ACCEPTED"}, "errors": []}
    second = await asyncio.wait_for(anext(updates), 5)
    assert second.data["orderUpdated"]["status"] == "ACCEPTED"
    await updates.aclose()
    assert gql.services.bus.subscriber_count == 0


async def test_an_address_no_store_serves_is_saved_and_flagged(gql, world):
    data = await gql.data(
        PLACE,
        {
            "input": place_input(world["product"])["input"]
            | {"deliveryLocation": {"latitude": 23.9, "longitude": 114.2}}
        },
        as_=world["member"],
    )
    payload = data["orderPlace"]
    assert payload["order"]["status"] == "UNASSIGNED"
    assert [e["code"] for e in payload["errors"]] == ["NO_STORE_AVAILABLE"]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"lines": []}, "INVALID", "lines"),
        ({"lines": [{"productId": "junk", "quantity": 1}]}, "NOT_FOUND", "lines.0.productId"),
        ({"quantity": 0}, "INVALID", "lines.0.quantity"),
        ({"quantity": 10**6}, "INVALID", "lines.0.quantity"),
        (
            {"deliveryLocation": {"latitude": -91, "longitude": 0}},
            "INVALID",
            "deliveryLocation.latitude",
        ),
        ({"deliveryAddress": ""}, "INVALID", "deliveryAddress"),
    ],
)
async def test_bad_orders_write_nothing(gql, world, change, code, field):
    variables = place_input(world["product"], change.pop("quantity", 1))
    variables["input"] |= change
    data = await gql.data(PLACE, variables, as_=world["member"])
    assert [(e["code"], e["field"]) for e in data["orderPlace"]["errors"]] == [(code, field)]
    assert data["orderPlace"]["order"] is None
    assert await Order.all().count() == 0


async def test_staff_and_anonymous_cannot_place(gql, world):
    staff = await gql.execute(PLACE, place_input(world["product"]), as_=world["clerk_a"])
    assert staff.errors[0].extensions == {"code": "FORBIDDEN"}
    anonymous = await gql.execute(PLACE, place_input(world["product"]))
    assert anonymous.errors[0].extensions == {"code": "UNAUTHENTICATED"}


async def test_the_store_subscription_replays_then_streams(gql, world):
    first = await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    first_id = first["orderPlace"]["order"]["id"]
    offers = await subscribe(gql, OFFERS, {}, world["clerk_a"])
    replayed = await asyncio.wait_for(anext(offers), 5)
    assert replayed.data["orderOffers"]["kind"] == "OFFERED"
    assert replayed.data["orderOffers"]["order"]["id"] == first_id
    second = await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    live = await asyncio.wait_for(anext(offers), 5)
    assert live.data["orderOffers"]["order"]["id"] == second["orderPlace"]["order"]["id"]
    declined = await gql.data(DECLINE, {"id": first_id, "reason": "closed"}, as_=world["clerk_a"])
    assert declined["orderDecline"] == {"order": None, "errors": []}
    gone = await asyncio.wait_for(anext(offers), 5)
    assert gone.data["orderOffers"]["kind"] == "WITHDRAWN"
    assert gone.data["orderOffers"]["offer"]["status"] == "DECLINED"
    await offers.aclose()
    assert gql.services.bus.subscriber_count == 0


async def test_a_clerk_asking_for_another_stores_offers_is_forbidden(gql, world):
    other = to_global_id("Store", world["stores"][1].id)
    stream = await subscribe(gql, OFFERS, {"storeId": other}, world["clerk_a"])
    result = await asyncio.wait_for(anext(stream), 5)
    assert result.errors[0].extensions["code"] == "FORBIDDEN"
    assert result.data is None
    member_stream = await subscribe(gql, OFFERS, {}, world["member"])
    assert (await anext(member_stream)).errors[0].extensions["code"] == "FORBIDDEN"
    assert gql.services.bus.subscriber_count == 0


async def test_accepting_another_stores_offer_is_forbidden(gql, world):
    placed = await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    result = await gql.execute(
        ACT, {"id": placed["orderPlace"]["order"]["id"]}, as_=world["clerk_b"]
    )
    assert result.errors[0].extensions == {"code": "FORBIDDEN"}
    assert await Order.filter(status=OrderStatus.PENDING).count() == 1


async def test_orders_are_scoped_to_the_caller(gql, world):
    await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    query = "{ orders { edges { node { status } } } }"
    mine = await gql.data(query, as_=world["member"])
    assert len(mine["orders"]["edges"]) == 1
    assert len((await gql.data(query, as_=world["clerk_a"]))["orders"]["edges"]) == 1
    assert (await gql.data(query, as_=world["clerk_b"]))["orders"]["edges"] == []
    stranger = factories.as_member(await factories.member())
    assert (await gql.data(query, as_=stranger))["orders"]["edges"] == []


async def test_a_repeated_key_returns_the_first_order(gql, world):
    variables = place_input(world["product"], idempotencyKey="tap-1")
    first = await gql.data(PLACE, variables, as_=world["member"])
    again = await gql.data(PLACE, variables, as_=world["member"])
    assert first["orderPlace"]["order"]["id"] == again["orderPlace"]["order"]["id"]
    assert await Order.all().count() == 1


async def test_a_resuming_store_and_an_admin_assignment_route_waiting_orders(gql, world):
    a, b = world["stores"]
    for store in (a, b):
        await store.__class__.filter(id=store.id).update(accepting_orders=False)
    placed = await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    order_id = placed["orderPlace"]["order"]["id"]
    assert placed["orderPlace"]["order"]["status"] == "UNASSIGNED"
    admin = factories.as_admin(await factories.admin())
    resume = """mutation($id: ID!) { storeSetAcceptingOrders(id: $id, accepting: true) {
                   store { acceptingOrders } errors { code } } }"""
    await gql.data(resume, {"id": to_global_id("Store", b.id)}, as_=admin)
    order = await Order.get(number=placed["orderPlace"]["order"]["number"])
    assert (order.status, order.store_id) == (OrderStatus.PENDING, b.id)
    assign = """mutation($id: ID!, $store: ID!) { orderAssign(id: $id, storeId: $store) {
                  order { status store { code } offers { status } } errors { code } } }"""
    moved = await gql.data(
        assign, {"id": order_id, "store": to_global_id("Store", a.id)}, as_=admin
    )
    assert moved["orderAssign"]["order"]["store"]["code"] == a.code
    assert [o["status"] for o in moved["orderAssign"]["order"]["offers"]] == [
        "WITHDRAWN",
        "PENDING",
    ]
    denied = await gql.execute(
        assign, {"id": order_id, "store": to_global_id("Store", a.id)}, as_=world["clerk_a"]
    )
    assert denied.errors[0].extensions == {"code": "FORBIDDEN"}


async def test_admins_hear_of_orders_no_store_can_take(gql, world):
    admin = factories.as_admin(await factories.admin())
    stream = await subscribe(gql, "subscription { ordersUnassigned { number status } }", {}, admin)
    pending = asyncio.ensure_future(anext(stream))

    async def listening():
        return gql.services.bus.subscriber_count == 1

    await poll(listening, timeout=5)
    far = place_input(world["product"])
    far["input"]["deliveryLocation"] = {"latitude": 23.9, "longitude": 114.2}
    placed = await gql.data(PLACE, far, as_=world["member"])
    number = placed["orderPlace"]["order"]["number"]
    heard = await asyncio.wait_for(pending, 5)
    assert heard.data["ordersUnassigned"] == {"number": number, "status": "UNASSIGNED"}
    await stream.aclose()
    member_stream = await subscribe(
        gql, "subscription { ordersUnassigned { number } }", {}, world["member"]
    )
    assert (await anext(member_stream)).errors[0].extensions["code"] == "FORBIDDEN"


async def test_a_stray_message_naming_another_stores_offer_shows_nothing(gql, world):
    from realtime import keys

    placed = await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    order_id = placed["orderPlace"]["order"]["id"]
    order = await Order.get(number=placed["orderPlace"]["order"]["number"])
    offer_a = await order.offers.all().first()  # type: ignore[attr-defined]
    offers = await subscribe(gql, OFFERS, {}, world["clerk_b"])
    first = asyncio.ensure_future(anext(offers))

    async def listening():
        return gql.services.bus.subscriber_count == 1

    await poll(listening, timeout=5)
    channel = keys.store_events(world["stores"][1].id)
    await gql.services.bus.publish(channel, {"kind": "OFFERED", "offer": offer_a.id})
    # A real offer for store B follows the stray one: it must be the first thing B's app sees.
    await gql.data(DECLINE, {"id": order_id}, as_=world["clerk_a"])
    event = (await asyncio.wait_for(first, 5)).data["orderOffers"]
    assert event["kind"] == "OFFERED"
    assert event["offer"]["id"] != to_global_id("OrderOffer", offer_a.id)
    assert event["offer"]["status"] == "PENDING"
    await offers.aclose()


async def test_an_offer_event_reaches_the_store_app_without_a_query(gql, world):
    import logging

    from domain.enums import OfferStatus
    from domain.orders.dispatch import Effects
    from tests.schema.core.test_dataloaders import StatementCounter

    placed = await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    order = await Order.get(number=placed["orderPlace"]["order"]["number"])
    offer = await order.offers.all().first()  # type: ignore[attr-defined]
    offers = await subscribe(gql, OFFERS, {}, world["clerk_a"])
    replayed = (await asyncio.wait_for(anext(offers), 5)).data["orderOffers"]
    assert replayed["kind"] == "OFFERED"
    # The event says what the committed rows say; the database is not asked again.
    offer.status = OfferStatus.WITHDRAWN
    effects = Effects()
    effects.ended(offer, order)
    logger, counter = logging.getLogger("tortoise.db_client"), StatementCounter()
    logger.addHandler(counter)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        await effects.apply(gql.services.dispatch)
        event = (await asyncio.wait_for(anext(offers), 5)).data["orderOffers"]
    finally:
        logger.removeHandler(counter)
        logger.setLevel(old_level)
    assert event["kind"] == "WITHDRAWN"
    assert event["offer"]["status"] == "WITHDRAWN"
    assert event["order"]["number"] == order.number
    assert counter.count == 0
    await offers.aclose()

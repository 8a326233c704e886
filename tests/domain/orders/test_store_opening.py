"""A new store takes the UNASSIGNED orders inside its radius, through ``storeCreate``."""

import asyncio
from datetime import timedelta

import pytest

from domain.enums import OfferStatus, OrderStatus
from domain.orders.models import Order, OrderOffer
from domain.stores.models import Store
from realtime import keys
from schema.core.context import Context
from schema.core.relay import decode_id, to_global_id
from tests import factories
from tests.orders_helpers import stores_east

PLACE = """
mutation($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id status store { code } } errors { code } }
}
"""
STORE_CREATE = """
mutation($input: StoreCreateInput!) {
  storeCreate(input: $input) { store { id code acceptingOrders } errors { code field } }
}
"""
OFFERS = "subscription { orderOffers { kind offer { id status } order { id status } } }"

# Both ~33 km north of the only store (radius 5 km), ~20 km from each other.
NORTH = {"latitude": 23.40, "longitude": 113.30}
NORTH_EAST = {"latitude": 23.40, "longitude": 113.50}
# ~0.6 km from NORTH; its 3 km radius does not reach NORTH_EAST.
NEW_STORE = {"latitude": 23.405, "longitude": 113.30}


@pytest.fixture
async def world(gql, dispatch):
    (old,) = await stores_east(dispatch, 1.0)
    product = await factories.product()
    return {
        "old": old,
        "product": to_global_id("Product", product.id),
        "member": factories.as_member(await factories.member()),
        "admin": factories.as_admin(await factories.admin()),
    }


async def place_at(gql, world, location) -> int:
    data = await gql.data(
        PLACE,
        {
            "input": {
                "lines": [{"productId": world["product"], "quantity": 1}],
                "deliveryAddress": "9 Far Road",
                "deliveryLocation": location,
            }
        },
        as_=world["member"],
    )
    payload = data["orderPlace"]
    assert (payload["order"]["status"], payload["order"]["store"]) == ("UNASSIGNED", None)
    assert [e["code"] for e in payload["errors"]] == ["NO_STORE_AVAILABLE"]
    return decode_id(payload["order"]["id"], "Order")


async def test_a_new_store_is_offered_the_unassigned_orders_inside_its_radius(
    gql, world, dispatch, redis
):
    inside = await place_at(gql, world, NORTH)
    outside = await place_at(gql, world, NORTH_EAST)
    assert await OrderOffer.filter(order_id__in=[inside, outside]).count() == 0
    async with (
        dispatch.bus.subscribe(keys.order_events(inside)) as inside_events,
        dispatch.bus.subscribe(keys.order_events(outside)) as outside_events,
    ):
        created = await gql.data(
            STORE_CREATE,
            {
                "input": {
                    "code": "GZ-NORTH",
                    "name": "North",
                    "address": "1 North Road",
                    "location": NEW_STORE,
                    "serviceRadiusKm": 3.0,
                }
            },
            as_=world["admin"],
        )
        payload = created["storeCreate"]
        assert payload["errors"] == []
        store_id = decode_id(payload["store"]["id"], "Store")
        changed = await asyncio.wait_for(inside_events.get(), 5)
        assert changed == {"order": inside}
        assert outside_events.empty()

    taken = await Order.get(id=inside)
    assert (taken.status, taken.store_id) == (OrderStatus.PENDING, store_id)
    (offer,) = await OrderOffer.filter(order_id=inside)
    assert (offer.store_id, offer.status) == (store_id, OfferStatus.PENDING)
    assert offer.expires_at == dispatch.now() + timedelta(seconds=dispatch.offer_timeout)
    due = await redis.zscore(keys.DEADLINES_DUE, keys.offer_deadline(offer.id))
    assert due == offer.expires_at.timestamp() * 1000
    left = await Order.get(id=outside)
    assert (left.status, left.store_id) == (OrderStatus.UNASSIGNED, None)
    assert await OrderOffer.filter(order_id=outside).count() == 0
    assert await dispatch.deadlines.depth() == (1, 0)

    # The new store's app is given the offer when it subscribes.
    clerk = factories.as_staff(await factories.staff(await Store.get(id=store_id)))
    context = Context.for_token(gql.services, gql.services.tokens.issue(clerk))
    stream = await gql.schema.subscribe(OFFERS, context_value=context)
    event = await asyncio.wait_for(anext(stream), 5)
    await stream.aclose()
    assert event.errors is None
    assert event.data["orderOffers"] == {
        "kind": "OFFERED",
        "offer": {"id": to_global_id("OrderOffer", offer.id), "status": "PENDING"},
        "order": {"id": to_global_id("Order", inside), "status": "PENDING"},
    }

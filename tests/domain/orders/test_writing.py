"""A batch of expiries is written all at once or not at all, on whichever database the run uses."""

from __future__ import annotations

from datetime import timedelta

from domain.enums import OfferStatus, OrderStatus
from domain.orders.models import Order, OrderOffer
from domain.orders.writing import expire_and_route
from tests import factories
from tests.orders_helpers import offers_of, place, stores_east


async def _two_placed(dispatch):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    product = await factories.product()
    member = factories.as_member(await factories.member())
    orders = [(await place(dispatch, member, product)).order for _ in range(2)]
    offers = [await OrderOffer.get(order_id=o.id) for o in orders]
    return a, b, orders, offers


async def test_every_offer_expires_and_every_order_moves_on_together(db, dispatch):
    a, b, (routed, stuck), offers = await _two_placed(dispatch)
    at = dispatch.now()
    expires = at + timedelta(hours=1)
    new = await expire_and_route(
        [o.id for o in offers], [(routed, b.id), (stuck, None)], at, expires
    )
    assert new is not None
    assert [(o.order_id, o.store_id, o.status) for o in new] == [
        (routed.id, b.id, OfferStatus.PENDING)
    ]
    assert await offers_of(routed) == [(a.id, "EXPIRED"), (b.id, "PENDING")]
    assert new[0].id == (await OrderOffer.get(order_id=routed.id, status=OfferStatus.PENDING)).id
    assert await offers_of(stuck) == [(a.id, "EXPIRED")]
    assert (routed.status, routed.store_id) == (OrderStatus.PENDING, b.id)  # the loaded models
    assert (stuck.status, stuck.store_id) == (OrderStatus.UNASSIGNED, None)
    stored = {o.id: (o.status, o.store_id) for o in await Order.all()}
    assert stored == {
        routed.id: (OrderStatus.PENDING, b.id),
        stuck.id: (OrderStatus.UNASSIGNED, None),
    }


async def test_an_offer_answered_meanwhile_leaves_the_whole_batch_unwritten(db, dispatch):
    a, b, orders, offers = await _two_placed(dispatch)
    await OrderOffer.filter(id=offers[1].id).update(status=OfferStatus.ACCEPTED)
    await Order.filter(id=orders[1].id).update(status=OrderStatus.ACCEPTED)
    at = dispatch.now()
    routes = [(order, b.id) for order in orders]
    assert await expire_and_route([o.id for o in offers], routes, at, at) is None
    assert await offers_of(orders[0]) == [(a.id, "PENDING")]
    assert await offers_of(orders[1]) == [(a.id, "ACCEPTED")]
    assert {o.status for o in await Order.all()} == {OrderStatus.PENDING, OrderStatus.ACCEPTED}
    assert orders[0].status is OrderStatus.PENDING
    assert orders[0].store_id == a.id  # the loaded models are left as they were


async def test_an_order_that_moved_on_leaves_the_whole_batch_unwritten(db, dispatch):
    a, b, orders, offers = await _two_placed(dispatch)
    await Order.filter(id=orders[1].id).update(status=OrderStatus.CANCELLED)
    at = dispatch.now()
    routes = [(order, b.id) for order in orders]
    assert await expire_and_route([o.id for o in offers], routes, at, at) is None
    assert [await offers_of(o) for o in orders] == [[(a.id, "PENDING")], [(a.id, "PENDING")]]
    assert await Order.get(id=orders[0].id).values_list("status", "store_id") == (
        OrderStatus.PENDING,
        a.id,
    )

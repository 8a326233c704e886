"""A delivered online order earns for the accepting store; cancelling it reverses the points."""

from decimal import Decimal

import pytest

from domain.enums import Channel, PointsEntryKind
from domain.errors import DomainError, ErrorCode
from domain.loyalty import redeem_points
from domain.loyalty.models import PointsEntry, PurchaseLine
from domain.orders import accept_order, cancel_order, complete_delivery, start_delivery
from domain.people.models import Member
from domain.stores.models import Product
from schema.core.relay import to_global_id
from tests import factories
from tests.orders_helpers import place, stores_east

# The most an int4 column (a member's balance, an entry's delta) holds.
INT4_MAX = 2**31 - 1


@pytest.fixture
async def product(db):
    return await factories.product("64.50", member_pack=True)


async def delivered(dispatch, product):
    (store,) = await stores_east(dispatch, 1.0)
    clerk = factories.as_staff(await factories.staff(store))
    member = await factories.member()
    order = (await place(dispatch, factories.as_member(member), product)).order
    await accept_order(dispatch, clerk, order.id)
    await start_delivery(dispatch, clerk, order.id)
    await complete_delivery(dispatch, clerk, order.id)
    return order, store, member


async def entries(member):
    rows = await PointsEntry.filter(member_id=member.id).order_by("id")
    return [(e.kind, e.delta, e.balance_after, e.reverses_id) for e in rows]


async def test_a_delivered_order_earns_once_for_the_accepting_store(dispatch, product):
    order, store, member = await delivered(dispatch, product)
    entry = await PointsEntry.get(member_id=member.id)
    assert (entry.kind, entry.delta, entry.store_id, entry.order_id) == (
        PointsEntryKind.PURCHASE,
        129,
        store.id,
        order.id,
    )
    refreshed = await Member.get(id=member.id)
    assert (refreshed.points_balance, refreshed.home_store_id, refreshed.member_pack_units) == (
        129,
        store.id,
        2,
    )
    clerk = factories.as_staff(await factories.staff(store))
    with pytest.raises(DomainError) as again:
        await complete_delivery(dispatch, clerk, order.id)
    assert again.value.code is ErrorCode.INVALID_TRANSITION
    assert await PointsEntry.filter(member_id=member.id).count() == 1


async def test_cancelling_a_delivered_order_reverses_its_points(dispatch, product):
    order, _store, member = await delivered(dispatch, product)
    admin = factories.as_admin(await factories.admin())
    await cancel_order(dispatch, admin, order.id)
    first = (await PointsEntry.get(member_id=member.id, kind=PointsEntryKind.PURCHASE)).id
    assert await entries(member) == [
        (PointsEntryKind.PURCHASE, 129, 129, None),
        (PointsEntryKind.REVERSAL, -129, 0, first),
    ]
    assert (await Member.get(id=member.id)).points_balance == 0


async def test_a_reversal_stops_at_the_balance_when_points_were_spent(dispatch, product):
    order, _store, member = await delivered(dispatch, product)
    reward = await factories.reward(100)
    await redeem_points(
        factories.as_member(member),
        dispatch.now(),
        member_id=member.id,
        reward_id=reward.id,
        channel=Channel.APP,
        key="spend",
    )
    admin = factories.as_admin(await factories.admin())
    await cancel_order(dispatch, admin, order.id)
    rows = await entries(member)
    assert [(k, d, b) for k, d, b, _ in rows] == [
        (PointsEntryKind.PURCHASE, 129, 129),
        (PointsEntryKind.REDEMPTION, -100, 29),
        (PointsEntryKind.REVERSAL, -29, 0),
    ]
    reversal = await PointsEntry.get(member_id=member.id, kind=PointsEntryKind.REVERSAL)
    assert reversal.note == "order cancelled; 100 of 129 points had been spent"


async def test_an_order_cancelled_before_delivery_has_nothing_to_reverse(dispatch, product):
    await stores_east(dispatch, 1.0)
    member = await factories.member()
    order = (await place(dispatch, factories.as_member(member), product)).order
    await cancel_order(dispatch, factories.as_member(member), order.id)
    assert await entries(member) == []


COMPLETE = "mutation($id: ID!) { orderComplete(id: $id) { order { status } errors { code } } }"
CANCEL = "mutation($id: ID!) { orderCancel(id: $id) { order { status } errors { code } } }"
POINTS = """
query($id: ID!) {
  member(id: $id) { pointsBalance pointsHistory { edges { node { delta kind store { code } } } } }
}
"""


async def test_order_complete_and_an_admin_refund_through_the_schema(gql, dispatch, product):
    (store,) = await stores_east(dispatch, 1.0)
    clerk = factories.as_staff(await factories.staff(store))
    member = await factories.member()
    order = (await place(dispatch, factories.as_member(member), product)).order
    await accept_order(dispatch, clerk, order.id)
    await start_delivery(dispatch, clerk, order.id)
    order_id = to_global_id("Order", order.id)
    done = await gql.data(COMPLETE, {"id": order_id}, as_=clerk)
    assert done["orderComplete"] == {"order": {"status": "DELIVERED"}, "errors": []}
    me = factories.as_member(member)
    seen = (await gql.data(POINTS, {"id": to_global_id("Member", member.id)}, as_=me))["member"]
    assert seen["pointsBalance"] == 129
    assert seen["pointsHistory"]["edges"] == [
        {"node": {"delta": 129, "kind": "PURCHASE", "store": {"code": store.code}}}
    ]
    refused = await gql.data(CANCEL, {"id": order_id}, as_=me)
    assert refused["orderCancel"]["errors"] == [{"code": "INVALID_TRANSITION"}]
    admin = factories.as_admin(await factories.admin())
    refund = await gql.data(CANCEL, {"id": order_id}, as_=admin)
    assert refund["orderCancel"] == {"order": {"status": "CANCELLED"}, "errors": []}
    seen = (await gql.data(POINTS, {"id": to_global_id("Member", member.id)}, as_=me))["member"]
    assert seen["pointsBalance"] == 0
    assert [e["node"]["kind"] for e in seen["pointsHistory"]["edges"]] == ["REVERSAL", "PURCHASE"]


async def test_a_delivered_order_earning_past_what_a_balance_holds_is_capped(db, dispatch):
    """Refusing the delivery would leave a delivered order undeliverable: it earns the room
    left in the balance instead, and its note says so."""
    product = await factories.product("99999999.99")
    await Product.filter(id=product.id).update(points_per_yuan=Decimal(100))
    order, _store, member = await delivered(dispatch, product)
    entry = await PointsEntry.get(member_id=member.id)
    assert (entry.delta, entry.balance_after) == (INT4_MAX, INT4_MAX)
    assert "capped" in (entry.note or "")
    lines = await PurchaseLine.filter(purchase__order_id=order.id)
    assert sum(line.points for line in lines) == INT4_MAX
    assert (await Member.get(id=member.id)).points_balance == INT4_MAX

import asyncio

import pytest

from domain.enums import OrderStatus, StaffRole
from domain.errors import DomainError, ErrorCode, Forbidden, Invalid, NotFound
from domain.orders import (
    accept_order,
    cancel_order,
    complete_delivery,
    place_order,
    reschedule_pending,
    start_delivery,
)
from domain.orders.models import Order, OrderItem, OrderOffer
from domain.orders.states import TRANSITIONS, Move, move
from domain.stores.lines import Line
from realtime import keys
from tests import factories
from tests.orders_helpers import HOME, offers_of, place, refreshed, stores_east


@pytest.fixture
async def product(db):
    return await factories.product("50.00")


async def accepted_order(dispatch, product):
    (store,) = await stores_east(dispatch, 1.0)
    clerk = factories.as_staff(await factories.staff(store))
    member = factories.as_member(await factories.member())
    order = (await place(dispatch, member, product)).order
    await accept_order(dispatch, clerk, order.id)
    return order, clerk, member


async def test_delivery_runs_in_order_and_nothing_else(dispatch, product):
    order, clerk, _member = await accepted_order(dispatch, product)
    with pytest.raises(DomainError) as early:
        await complete_delivery(dispatch, clerk, order.id)
    assert early.value.code is ErrorCode.INVALID_TRANSITION
    assert (await start_delivery(dispatch, clerk, order.id)).status is OrderStatus.OUT_FOR_DELIVERY
    done = await complete_delivery(dispatch, clerk, order.id)
    assert done.status is OrderStatus.DELIVERED
    assert done.delivered_at is not None


async def test_only_the_accepting_store_delivers(dispatch, product):
    order, _clerk, _member = await accepted_order(dispatch, product)
    other = factories.as_staff(await factories.staff(await factories.store()))
    with pytest.raises(Forbidden):
        await start_delivery(dispatch, other, order.id)
    assert (await refreshed(order)).status is OrderStatus.ACCEPTED


async def test_the_member_cancels_before_delivery_starts_an_admin_before_it_ends(dispatch, product):
    order, clerk, member = await accepted_order(dispatch, product)
    await start_delivery(dispatch, clerk, order.id)
    with pytest.raises(DomainError) as late:
        await cancel_order(dispatch, member, order.id)
    assert late.value.code is ErrorCode.INVALID_TRANSITION
    admin = factories.as_admin(await factories.admin())
    assert (await cancel_order(dispatch, admin, order.id)).status is OrderStatus.CANCELLED
    with pytest.raises(DomainError):
        await cancel_order(dispatch, admin, order.id)


async def test_cancelling_a_pending_order_withdraws_its_offer(dispatch, product):
    (store,) = await stores_east(dispatch, 1.0)
    member = factories.as_member(await factories.member())
    order = (await place(dispatch, member, product)).order
    async with dispatch.bus.subscribe(keys.store_events(store.id)) as events:
        await cancel_order(dispatch, member, order.id)
        message = await asyncio.wait_for(anext(aiter(events)), 5)
    assert message["kind"] == "WITHDRAWN"
    assert await offers_of(order) == [(store.id, "WITHDRAWN")]
    assert await dispatch.deadlines.depth() == (0, 0)


async def test_a_cancel_and_an_accept_at_once_end_cleanly(dispatch, product):
    """Both lock the offer before the order; in opposite orders they would deadlock, and on
    PostgreSQL one side would fail with an internal error instead of a code."""
    (store,) = await stores_east(dispatch, 1.0)
    clerk = factories.as_staff(await factories.staff(store))
    member = factories.as_member(await factories.member())
    orders = [(await place(dispatch, member, product)).order for _ in range(20)]
    calls = [
        call
        for order in orders
        for call in (
            accept_order(dispatch, clerk, order.id),
            cancel_order(dispatch, member, order.id),
        )
    ]
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    unexpected = [
        o
        for o in outcomes
        if isinstance(o, BaseException)
        and not (isinstance(o, DomainError) and o.code is ErrorCode.OFFER_NOT_PENDING)
    ]
    assert unexpected == []
    for order in orders:
        assert (await refreshed(order)).status is OrderStatus.CANCELLED
        ((_, offer),) = await offers_of(order)
        assert offer in ("ACCEPTED", "WITHDRAWN")


async def test_a_member_cannot_cancel_someone_elses_order_and_staff_cannot_cancel(
    dispatch, product
):
    order, clerk, _member = await accepted_order(dispatch, product)
    stranger = factories.as_member(await factories.member())
    with pytest.raises(NotFound):
        await cancel_order(dispatch, stranger, order.id)
    with pytest.raises(Forbidden):
        await cancel_order(dispatch, clerk, order.id)


def test_the_transition_table_is_the_documented_machine():
    reachable = {(src.value, dst.value) for sources, dst in TRANSITIONS.values() for src in sources}
    # Only an admin cancels a delivered order (a refund, which reverses its points).
    assert [m for m, (src, _) in TRANSITIONS.items() if OrderStatus.DELIVERED in src] == [
        Move.CANCEL_BY_ADMIN
    ]
    assert ("PENDING", "ACCEPTED") in reachable
    assert ("UNASSIGNED", "PENDING") in reachable
    assert TRANSITIONS[Move.COMPLETE][0] == {OrderStatus.OUT_FOR_DELIVERY}


def _columns(order: Order) -> dict[str, object]:
    return {name: getattr(order, name) for name in order._meta.db_fields}


async def test_every_move_from_every_status_follows_the_table(dispatch, product):
    """Each cell of status by move: the move the table allows lands; any other raises
    INVALID_TRANSITION and leaves the row as it was."""
    (store,) = await stores_east(dispatch, 1.0)
    order = (await place(dispatch, factories.as_member(await factories.member()), product)).order
    for status in OrderStatus:
        for step in Move:
            await Order.filter(id=order.id).update(status=status, store_id=store.id)
            before = await Order.get(id=order.id)
            sources, target = TRANSITIONS[step]
            if status in sources:
                await move(order.id, step)
                assert (await refreshed(order)).status is target, (status, step)
                continue
            with pytest.raises(DomainError) as refused:
                await move(order.id, step)
            assert refused.value.code is ErrorCode.INVALID_TRANSITION, (status, step)
            after = await Order.get(id=order.id)
            assert _columns(after) == _columns(before), (status, step)


async def test_a_repeated_idempotency_key_returns_the_first_order(dispatch, product):
    await stores_east(dispatch, 1.0)
    member = factories.as_member(await factories.member())
    first = await place(dispatch, member, product, key="k-1")
    again = await place(dispatch, member, product, key="k-1")
    assert (again.order.id, again.repeated) == (first.order.id, True)
    assert await Order.all().count() == 1
    assert await OrderOffer.all().count() == 1
    racing = await asyncio.gather(*(place(dispatch, member, product, key="k-2") for _ in range(5)))
    assert len({p.order.id for p in racing}) == 1
    assert await Order.all().count() == 2


@pytest.mark.parametrize(
    ("lines", "error", "field"),
    [
        ([], Invalid, "lines"),
        ([(0, 1)], NotFound, "lines.0.productId"),
        ([("p", 0)], Invalid, "lines.0.quantity"),
        ([("p", -3)], Invalid, "lines.0.quantity"),
        ([("p", 1000)], Invalid, "lines.0.quantity"),
        ([("p", 600), ("p", 600)], Invalid, "lines.0.quantity"),
    ],
)
async def test_bad_lines_write_nothing(dispatch, product, lines, error, field):
    await stores_east(dispatch, 1.0)
    member = factories.as_member(await factories.member())
    requests = [Line(product.id if p == "p" else p, q) for p, q in lines]
    with pytest.raises(error) as err:
        await place_order(
            dispatch,
            member,
            lines=requests,
            delivery_address="x",
            latitude=HOME[0],
            longitude=HOME[1],
        )
    assert err.value.field == field
    assert await Order.all().count() == 0
    assert await OrderItem.all().count() == 0


async def test_events_follow_the_commit(dispatch, product):
    (store,) = await stores_east(dispatch, 1.0)
    member = factories.as_member(await factories.member())
    async with dispatch.bus.subscribe(keys.store_events(store.id)) as events:
        order = (await place(dispatch, member, product)).order
        message = await asyncio.wait_for(anext(aiter(events)), 5)
    offer = await OrderOffer.get(order_id=order.id)
    rows = message.pop("rows")
    assert message == {"kind": "OFFERED", "offer": offer.id, "order": order.id}
    assert rows["offer"]["store_id"] == store.id
    assert rows["order"]["store_id"] == store.id
    assert rows["order"]["status"] == "PENDING"


async def test_reconcile_restores_deadlines_after_redis_is_flushed(dispatch, redis, product):
    await stores_east(dispatch, 1.0, 2.0)
    member = factories.as_member(await factories.member())
    for _ in range(3):
        await place(dispatch, member, product)
    await redis.flushdb()  # this run's database only: the server is shared
    assert await dispatch.deadlines.depth() == (0, 0)
    assert await reschedule_pending(dispatch) == 3
    assert await dispatch.deadlines.depth() == (3, 0)


async def test_a_manager_is_staff_too(dispatch, product):
    (store,) = await stores_east(dispatch, 1.0)
    manager = factories.as_staff(await factories.staff(store, StaffRole.MANAGER))
    order = (await place(dispatch, factories.as_member(await factories.member()), product)).order
    assert (await accept_order(dispatch, manager, order.id)).status is OrderStatus.ACCEPTED

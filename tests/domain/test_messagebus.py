"""Typed events reach their listeners once the change that caused them has committed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain import messagebus
from domain.events import (
    Event,
    MemberRegistered,
    OfferMade,
    OrderDelivered,
    PurchaseRecorded,
)
from domain.loyalty import record_purchase
from domain.loyalty.models import Purchase
from domain.orders import accept_order, complete_delivery, start_delivery
from domain.people.members import register_member
from domain.stores.lines import Line
from tests import factories
from tests.orders_helpers import place, stores_east

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def heard() -> AsyncIterator[list[Event]]:
    seen: list[Event] = []

    async def listen(event: Event) -> None:
        # Published after the commit: the row the event names is already readable.
        if isinstance(event, PurchaseRecorded):
            assert await Purchase.exists(id=event.purchase_id)
        seen.append(event)

    kinds = (PurchaseRecorded, OrderDelivered, MemberRegistered, OfferMade)
    for kind in kinds:
        messagebus.bus.subscribe(kind, listen)
    yield seen
    for kind in kinds:
        messagebus.bus.unsubscribe(kind, listen)


async def test_a_counter_sale_is_heard_once_and_its_repeat_not_at_all(db, heard):
    store = await factories.store()
    clerk = await factories.staff(store)
    member = await factories.member(home=store)
    pack = await factories.product("50.00")
    for _ in range(2):
        await record_purchase(
            factories.as_staff(clerk), NOW, member_id=member.id, lines=[Line(pack.id, 3)], key="k"
        )
    sales = [e for e in heard if isinstance(e, PurchaseRecorded)]
    assert len(sales) == 1
    sale = sales[0]
    assert (sale.member_id, sale.store_id, sale.staff_id) == (member.id, store.id, clerk.id)
    assert sale.total == Decimal("150.00")


async def test_an_order_is_heard_when_offered_and_when_delivered(db, dispatch, heard):
    (store,) = await stores_east(dispatch, 1.0)
    clerk = factories.as_staff(await factories.staff(store))
    member = await factories.member()
    placed = await place(dispatch, factories.as_member(member), await factories.product())
    order = placed.order
    offers = [(e.order_id, e.store_id) for e in heard if isinstance(e, OfferMade)]
    assert offers == [(order.id, store.id)]
    await accept_order(dispatch, clerk, order.id)
    await start_delivery(dispatch, clerk, order.id)
    await complete_delivery(dispatch, clerk, order.id)
    delivered = [e for e in heard if isinstance(e, OrderDelivered)]
    assert [(e.order_id, e.member_id, e.store_id) for e in delivered] == [
        (order.id, member.id, store.id)
    ]


async def test_a_failing_listener_does_not_undo_the_sale(db, heard):
    async def broken(event: PurchaseRecorded) -> None:
        raise RuntimeError("listener down")

    messagebus.bus.subscribe(PurchaseRecorded, broken)
    try:
        store = await factories.store()
        clerk = await factories.staff(store)
        member = await factories.member(home=store)
        pack = await factories.product("10.00")
        earned = await record_purchase(
            factories.as_staff(clerk), NOW, member_id=member.id, lines=[Line(pack.id, 1)], key="x"
        )
    finally:
        messagebus.bus.unsubscribe(PurchaseRecorded, broken)
    assert earned.entry.delta == 10
    assert await Purchase.filter(member_id=member.id).count() == 1
    assert any(isinstance(e, PurchaseRecorded) for e in heard)


async def test_a_registration_is_heard_with_its_store_and_clerk(db, heard):
    store = await factories.store()
    clerk = await factories.staff(store)
    member = await register_member(
        factories.as_staff(clerk), phone="13900000123", password="secret-pass", name="Li Na"
    )
    assert [e for e in heard if isinstance(e, MemberRegistered)] == [
        MemberRegistered(member.id, store.id, clerk.id, member.joined_at)
    ]

"""The deadline worker's read of the offers it expires, and its batch's early claims."""

from typing import Any

import pytest
from tortoise.models import Model

from domain.orders import accept_order, decline_order, expire_offers
from domain.orders.models import OrderOffer
from domain.orders.reading import Expiring, _pending_with_orm, pending_offers
from realtime import keys
from tests import factories
from tests.orders_helpers import offers_of, place, stores_east


@pytest.fixture
async def product(db):
    return await factories.product("99.00")


def _fields(model: Model) -> list[tuple[str, type, Any]]:
    """Each field's value and its type (an enum and its string compare equal)."""
    names = model._meta.fields_db_projection
    return [(name, type(getattr(model, name)), getattr(model, name)) for name in names]


def _as_rows(read: list[Expiring]) -> list[tuple[Any, ...]]:
    by_offer = sorted(read, key=lambda e: e.offer.id)
    return [(_fields(e.offer), _fields(e.order), e.home_store_id, e.tried) for e in by_offer]


async def test_the_read_is_the_orms_whole_rows_homes_and_tried_stores(dispatch, product):
    a, b, c = await stores_east(dispatch, 1.0, 2.0, 3.0)
    homeless = factories.as_member(await factories.member())
    at_home = factories.as_member(await factories.member(c))
    moved = (await place(dispatch, homeless, product)).order
    for store in (a, b):  # declined twice: now offered to its third store
        await decline_order(
            dispatch, factories.as_staff(await factories.staff(store)), moved.id, "busy"
        )
    fresh = (await place(dispatch, at_home, product)).order
    taken = (await place(dispatch, homeless, product)).order
    await accept_order(dispatch, factories.as_staff(await factories.staff(a)), taken.id)
    offer_ids = [o.id for o in await OrderOffer.all()] + [10**9]  # and one that is not there

    read = await pending_offers(offer_ids)

    assert _as_rows(read) == _as_rows(await _pending_with_orm(offer_ids))
    assert sorted((e.order.id, e.offer.store_id, e.home_store_id, e.tried) for e in read) == [
        (moved.id, c.id, None, frozenset({a.id, b.id, c.id})),
        (fresh.id, c.id, c.id, frozenset({c.id})),
    ]
    assert {e.order.id: e.order.store_id for e in read} == {moved.id: c.id, fresh.id: c.id}
    assert await pending_offers([]) == []


async def test_an_offer_claimed_early_waits_for_its_time(dispatch, redis, clock, product):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    order = (await place(dispatch, factories.as_member(await factories.member()), product)).order
    (offer,) = await OrderOffer.filter(order_id=order.id)
    key = keys.offer_deadline(offer.id)
    await redis.zrem(keys.DEADLINES_DUE, key)  # as when a worker claims it
    clock.advance(59.9)  # another machine's clock runs ahead
    assert await expire_offers(dispatch, [offer.id]) == 0
    assert await offers_of(order) == [(a.id, "PENDING")]
    assert await redis.zscore(keys.DEADLINES_DUE, key) == int(offer.expires_at.timestamp() * 1000)
    clock.advance(0.2)
    assert await expire_offers(dispatch, [offer.id]) == 1
    assert await offers_of(order) == [(a.id, "EXPIRED"), (b.id, "PENDING")]

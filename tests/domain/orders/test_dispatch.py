"""An order event's rows: what ``row_of`` sends is what ``model_of`` rebuilds."""

from __future__ import annotations

import json
from typing import Any

from tortoise.models import Model

from domain.orders.dispatch import model_of, row_of
from domain.orders.models import Order, OrderOffer
from tests import factories
from tests.orders_helpers import place, stores_east


def _fields(model: Model) -> dict[str, Any]:
    return {name: getattr(model, name) for name in model._meta.fields_db_projection}


def _through_json(model: Model) -> dict[str, Any]:
    loaded = json.loads(json.dumps(row_of(model)))
    assert isinstance(loaded, dict)
    return loaded


async def test_a_row_sent_as_json_rebuilds_the_model_as_the_database_reads_it(db, dispatch):
    (_store,) = await stores_east(dispatch, 1)
    member = await factories.member()
    product = await factories.product("12.35")
    placed = await place(dispatch, factories.as_member(member), product)
    for stored in (
        await Order.get(id=placed.order.id),
        await OrderOffer.get(order_id=placed.order.id),
    ):
        rebuilt = model_of(type(stored), _through_json(stored))
        assert _fields(rebuilt) == _fields(stored)
        assert {k: type(v) for k, v in _fields(rebuilt).items()} == {
            k: type(v) for k, v in _fields(stored).items()
        }
        assert rebuilt.pk == stored.pk
        assert rebuilt._saved_in_db
        assert not rebuilt._partial


async def test_a_rebuilt_model_saves_like_a_loaded_one(db, dispatch):
    await stores_east(dispatch, 1)
    placed = await place(
        dispatch, factories.as_member(await factories.member()), await factories.product()
    )
    stored = await OrderOffer.get(order_id=placed.order.id)
    rebuilt = model_of(OrderOffer, _through_json(stored))
    rebuilt.reason = "checked"
    await rebuilt.save(update_fields=["reason"])
    assert (await OrderOffer.get(id=stored.id)).reason == "checked"
    assert await OrderOffer.filter(order_id=placed.order.id).count() == 1

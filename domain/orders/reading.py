"""Reading the offers the deadline worker expires, with what routing their orders on needs.

On PostgreSQL it is one statement: the offers still pending, joined with their orders, each
order's member's home store and the stores already offered the order. The ORM's four reads
(each building a parameter object per id, then a model per row) cost the worker more CPU than
the database spent answering them; the statement's text is fixed, so PostgreSQL also reuses
its prepared plan. Elsewhere (the embedded SQLite) it is the same reads through the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from tortoise.models import Model

from domain.enums import OfferStatus
from domain.orders.models import Order, OrderOffer
from domain.orders.routing import tried_stores_of
from domain.people.models import Member
from domain.sql import rows_by_id


@dataclass(frozen=True)
class Expiring:
    """A pending offer whose deadline came, and what routing its order on needs."""

    offer: OrderOffer
    order: Order
    home_store_id: int | None  # the order's member's
    tried: frozenset[int]  # the stores already offered the order, this offer's included


async def pending_offers(offer_ids: list[int]) -> list[Expiring]:
    """Those of ``offer_ids`` still PENDING, in no set order."""
    if not offer_ids:
        return []
    client = OrderOffer._meta.db
    if client.capabilities.dialect != "postgres":
        return await _pending_with_orm(offer_ids)
    statement, offer_columns, order_columns = _pending_statement()
    params = [[int(i) for i in offer_ids], OfferStatus.PENDING.value]
    _, rows = await client.execute_query(statement, params)
    # asyncpg's records index by position, whatever tortoise declares.
    records = cast("list[Sequence[Any]]", rows)
    return [_expiring(row, offer_columns, order_columns) for row in records]


def _expiring(row: Sequence[Any], offer_columns: Columns, order_columns: Columns) -> Expiring:
    values = tuple(row)  # asyncpg's records do not slice
    split = len(offer_columns)
    end = split + len(order_columns)
    home, tried = values[end], values[end + 1]
    return Expiring(
        OrderOffer._init_from_db(**dict(zip(offer_columns, values[:split], strict=True))),
        Order._init_from_db(**dict(zip(order_columns, values[split:end], strict=True))),
        None if home is None else int(home),
        frozenset(int(s) for s in tried),
    )


Columns = tuple[str, ...]


@cache
def _pending_statement() -> tuple[str, Columns, Columns]:
    """The statement and the offer's and order's columns it selects, in that order; built
    from the models (so a column added to them is read too) once tortoise has started."""
    offer_columns = _columns(OrderOffer)
    order_columns = _columns(Order)
    selected = ", ".join([f'f."{c}"' for c in offer_columns] + [f'o."{c}"' for c in order_columns])
    statement = f"""
SELECT {selected}, m."home_store_id",
    ARRAY(SELECT t."store_id" FROM "{_table(OrderOffer)}" AS t WHERE t."order_id" = o."id")
FROM "{_table(OrderOffer)}" AS f
JOIN "{_table(Order)}" AS o ON o."id" = f."order_id"
JOIN "{_table(Member)}" AS m ON m."id" = o."member_id"
WHERE f."id" = ANY($1::bigint[]) AND f."status" = $2
"""
    return statement, offer_columns, order_columns


def _columns(model: type[Model]) -> Columns:
    return tuple(model._meta.fields_db_projection.values())


def _table(model: type[Model]) -> str:
    return model._meta.db_table


async def _pending_with_orm(offer_ids: list[int]) -> list[Expiring]:
    offers = await OrderOffer.filter(id__in=offer_ids, status=OfferStatus.PENDING)
    if not offers:
        return []
    order_ids = [o.order_id for o in offers]
    orders = {o.id: o for o in await Order.filter(id__in=order_ids)}
    homes = await _home_stores({o.member_id for o in orders.values()})
    tried = await tried_stores_of(order_ids)
    return [
        Expiring(
            offer,
            orders[offer.order_id],
            homes[orders[offer.order_id].member_id],
            frozenset(tried[offer.order_id]),
        )
        for offer in offers
    ]


async def _home_stores(member_ids: set[int]) -> dict[int, int | None]:
    rows = await rows_by_id(Member, ("id", "home_store_id"), member_ids)
    return {int(i): None if home is None else int(home) for i, home in rows}

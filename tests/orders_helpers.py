"""Shared set-up for order tests: stores on a line east of a point, members, products."""

from __future__ import annotations

from domain.orders import Dispatch, place_order
from domain.orders.models import Order, OrderOffer
from domain.orders.placing import Placed
from domain.principal import Principal
from domain.stores.lines import Line
from domain.stores.models import Product, Store
from domain.stores.network import rebuild_store_index
from tests import factories

# The customer's address; stores sit east of it, ~1.02 km per 0.01 degree of longitude here.
HOME = (23.10, 113.30)


async def stores_east(dispatch: Dispatch, *km: float, radius: float = 5.0) -> list[Store]:
    made = [
        await factories.store(latitude=HOME[0], longitude=HOME[1] + k / 102.3, radius=radius)
        for k in km
    ]
    await rebuild_store_index(dispatch.stores)
    return made


async def place(
    dispatch: Dispatch, member: Principal, product: Product, *, key: str | None = None
) -> Placed:
    return await place_order(
        dispatch,
        member,
        lines=[Line(product.id, 2)],
        delivery_address="1 Customer Road",
        latitude=HOME[0],
        longitude=HOME[1],
        idempotency_key=key,
    )


async def offers_of(order: Order) -> list[tuple[int, str]]:
    """(store id, offer status) in routing order."""
    rows = await OrderOffer.filter(order_id=order.id).order_by("id")
    return [(o.store_id, o.status.value) for o in rows]


async def refreshed(order: Order) -> Order:
    return await Order.get(id=order.id)

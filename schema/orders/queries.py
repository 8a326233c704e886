"""One order, and the orders the caller may see."""

from __future__ import annotations

import strawberry

from domain.access.visibility import (
    visible_orders,
)
from domain.enums import OrderStatus
from schema.core.context import Info
from schema.core.permissions import IsSignedIn
from schema.core.relay import (
    Connection,
    lookup,
    paginate,
)
from schema.orders.types import Order


@strawberry.type
class OrdersQuery:
    @strawberry.field
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        actor = info.context.viewer()
        return await lookup(id, "Order", visible_orders(actor) if actor else None, Order.of)

    @strawberry.field(
        permission_classes=[IsSignedIn],
        description="A member's own orders; staff: their store's; admin: all.",
    )
    async def orders(
        self,
        info: Info,
        status: OrderStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Order]:
        query = visible_orders(info.context.actor)
        if status is not None:
            query = query.filter(status=status)
        return await paginate(query, first, after, Order.of, descending=True)

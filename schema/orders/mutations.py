"""Order mutations: each checks the caller, calls one domain action, wraps the result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from domain import orders
from domain.access.visibility import order_visible
from domain.errors import ErrorCode
from domain.orders.models import Order as OrderModel
from domain.principal import Principal
from schema.core.context import Info
from schema.core.errors import UserError, attempt
from schema.core.permissions import IsAdmin, IsMember, IsMemberStaffOrAdmin, IsStoreStaff
from schema.core.relay import decode_id
from schema.guards.rate_limits import limit_member
from schema.orders.inputs import OrderPlaceInput, line_requests
from schema.orders.payloads import OrderPayload
from schema.orders.types import Order

NO_STORE = (
    "No store can deliver to this address right now; the order waits and will be offered "
    "as soon as a store can take it."
)


async def _order_action(
    info: Info,
    action: Callable[[orders.Dispatch, Principal], Awaitable[OrderModel]],
) -> OrderPayload:
    actor = info.context.actor
    order, errors = await attempt(lambda: action(info.context.services.dispatch, actor))
    # The order as ``order(id)`` would answer it now: a store that declined it sees null, not
    # the store it went to next.
    shown = Order.of(order) if order is not None and order_visible(actor, order) else None
    return OrderPayload(order=shown, errors=errors)


@strawberry.type
class OrderMutation:
    @strawberry.mutation(permission_classes=[IsMember])
    async def order_place(self, info: Info, input: OrderPlaceInput) -> OrderPayload:
        actor = info.context.actor
        await limit_member(info, info.context.services.rate_limits.order_place)
        placed, errors = await attempt(
            lambda: orders.place_order(
                info.context.services.dispatch,
                actor,
                lines=line_requests(input.lines),
                delivery_address=input.delivery_address,
                latitude=input.delivery_location.latitude,
                longitude=input.delivery_location.longitude,
                idempotency_key=input.idempotency_key,
            )
        )
        if placed is None:
            return OrderPayload(errors=errors)
        if placed.unassigned:
            errors = [UserError(code=ErrorCode.NO_STORE_AVAILABLE, message=NO_STORE)]
        return OrderPayload(order=Order.of(placed.order), errors=errors)

    @strawberry.mutation(
        permission_classes=[IsMemberStaffOrAdmin],
        description="The member before delivery starts; an admin before it ends.",
    )
    async def order_cancel(self, info: Info, id: strawberry.ID) -> OrderPayload:
        return await _order_action(
            info,
            lambda d, a: orders.cancel_order(d, a, decode_id(id, "Order")),
        )

    @strawberry.mutation(
        permission_classes=[IsStoreStaff],
        description="Staff of the offered store, while the offer is open.",
    )
    async def order_accept(self, info: Info, id: strawberry.ID) -> OrderPayload:
        return await _order_action(
            info, lambda d, a: orders.accept_order(d, a, decode_id(id, "Order"))
        )

    @strawberry.mutation(
        permission_classes=[IsStoreStaff],
        description="Staff of the offered store; the order moves on at once. The payload's "
        "order is null: the store may no longer see it.",
    )
    async def order_decline(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> OrderPayload:
        return await _order_action(
            info, lambda d, a: orders.decline_order(d, a, decode_id(id, "Order"), reason)
        )

    @strawberry.mutation(
        permission_classes=[IsStoreStaff], description="Staff of the accepting store."
    )
    async def order_start_delivery(self, info: Info, id: strawberry.ID) -> OrderPayload:
        return await _order_action(
            info, lambda d, a: orders.start_delivery(d, a, decode_id(id, "Order"))
        )

    @strawberry.mutation(
        permission_classes=[IsStoreStaff], description="Staff of the accepting store."
    )
    async def order_complete(self, info: Info, id: strawberry.ID) -> OrderPayload:
        return await _order_action(
            info, lambda d, a: orders.complete_delivery(d, a, decode_id(id, "Order"))
        )

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Admin: give a PENDING or UNASSIGNED order to a store.",
    )
    async def order_assign(
        self, info: Info, id: strawberry.ID, store_id: strawberry.ID
    ) -> OrderPayload:
        return await _order_action(
            info,
            lambda d, a: orders.assign_order(
                d, a, decode_id(id, "Order"), decode_id(store_id, "Store", "storeId")
            ),
        )

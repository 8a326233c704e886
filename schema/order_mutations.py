"""Order mutations: each checks the caller, calls one domain action, wraps the result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from domain import orders
from domain.errors import ErrorCode
from domain.models import Order as OrderModel
from domain.principal import Principal, Role
from domain.visibility import order_visible
from schema.context import Info
from schema.errors import UserError, attempt
from schema.inputs import OrderPlaceInput
from schema.orders import OrderPayload, line_requests
from schema.rate_limits import limit_member
from schema.relay import decode_id
from schema.types import Order

NO_STORE = (
    "No store can deliver to this address right now; the order waits and will be offered "
    "as soon as a store can take it."
)


async def _order_action(
    info: Info,
    roles: tuple[Role, ...],
    action: Callable[[orders.Dispatch, Principal], Awaitable[OrderModel]],
) -> OrderPayload:
    actor = info.context.require(*roles)
    order, errors = await attempt(lambda: action(info.context.services.dispatch, actor))
    # The order as ``order(id)`` would answer it now: a store that declined it sees null, not
    # the store it went to next.
    shown = Order.of(order) if order is not None and order_visible(actor, order) else None
    return OrderPayload(order=shown, errors=errors)


STAFF = (Role.CLERK, Role.MANAGER)


@strawberry.type
class OrderMutation:
    @strawberry.mutation
    async def order_place(self, info: Info, input: OrderPlaceInput) -> OrderPayload:
        actor = info.context.require(Role.MEMBER)
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

    @strawberry.mutation(description="The member before delivery starts; an admin before it ends.")
    async def order_cancel(self, info: Info, id: strawberry.ID) -> OrderPayload:
        return await _order_action(
            info,
            (Role.MEMBER, Role.ADMIN, *STAFF),
            lambda d, a: orders.cancel_order(d, a, decode_id(id, "Order")),
        )

    @strawberry.mutation(description="Staff of the offered store, while the offer is open.")
    async def order_accept(self, info: Info, id: strawberry.ID) -> OrderPayload:
        return await _order_action(
            info, STAFF, lambda d, a: orders.accept_order(d, a, decode_id(id, "Order"))
        )

    @strawberry.mutation(
        description="Staff of the offered store; the order moves on at once. The payload's "
        "order is null: the store may no longer see it."
    )
    async def order_decline(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> OrderPayload:
        return await _order_action(
            info, STAFF, lambda d, a: orders.decline_order(d, a, decode_id(id, "Order"), reason)
        )

    @strawberry.mutation(description="Staff of the accepting store.")
    async def order_start_delivery(self, info: Info, id: strawberry.ID) -> OrderPayload:
        return await _order_action(
            info, STAFF, lambda d, a: orders.start_delivery(d, a, decode_id(id, "Order"))
        )

    @strawberry.mutation(description="Staff of the accepting store.")
    async def order_complete(self, info: Info, id: strawberry.ID) -> OrderPayload:
        return await _order_action(
            info, STAFF, lambda d, a: orders.complete_delivery(d, a, decode_id(id, "Order"))
        )

    @strawberry.mutation(description="Admin: give a PENDING or UNASSIGNED order to a store.")
    async def order_assign(
        self, info: Info, id: strawberry.ID, store_id: strawberry.ID
    ) -> OrderPayload:
        return await _order_action(
            info,
            (Role.ADMIN,),
            lambda d, a: orders.assign_order(
                d, a, decode_id(id, "Order"), decode_id(store_id, "Store", "storeId")
            ),
        )

"""An order mutation's payload: the order, or the expected failures."""

from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.orders.types import Order


@strawberry.type
class OrderPayload:
    order: Order | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

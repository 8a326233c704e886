"""Order inputs' conversion, payloads and events."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain.stores.lines import Line
from schema.errors import UserError
from schema.inputs import OrderLineInput
from schema.relay import decode_id
from schema.types import Order, OrderOffer


@strawberry.enum
class OfferEventKind(Enum):
    OFFERED = strawberry.enum_value(
        "OFFERED",
        description="A new offer for this store (also replayed on subscribe for offers still "
        "pending).",
    )
    WITHDRAWN = strawberry.enum_value(
        "WITHDRAWN",
        description="The offer is gone: expired, answered, cancelled by the customer, or "
        "reassigned; `offer.status` says which.",
    )


@strawberry.type
class OrderOfferEvent:
    kind: OfferEventKind
    offer: OrderOffer
    order: Order


@strawberry.type
class OrderPayload:
    order: Order | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def line_requests(lines: list[OrderLineInput]) -> list[Line]:
    return [
        Line(decode_id(line.product_id, "Product", f"lines.{i}.productId"), line.quantity)
        for i, line in enumerate(lines)
    ]

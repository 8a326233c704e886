"""What an order is placed from, and its lines as the domain takes them."""

from __future__ import annotations

import strawberry

from domain.stores.lines import Line
from schema.core.relay import decode_id
from schema.stores.inputs import GeoPointInput


@strawberry.input
class OrderLineInput:
    product_id: strawberry.ID
    quantity: int


@strawberry.input
class OrderPlaceInput:
    lines: list[OrderLineInput]
    delivery_address: str
    delivery_location: GeoPointInput
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeating a key returns the order first placed with it."
    )


def line_requests(lines: list[OrderLineInput]) -> list[Line]:
    return [
        Line(decode_id(line.product_id, "Product", f"lines.{i}.productId"), line.quantity)
        for i, line in enumerate(lines)
    ]

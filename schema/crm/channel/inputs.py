"""A distributor, a shipment."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.input
class DistributorCreateInput:
    code: str
    name: str
    store_ids: list[strawberry.ID]
    rebate_rate: Decimal | None = None
    phone: str | None = strawberry.field(
        default=None, description="A sign-in for the distributor's own staff (role DISTRIBUTOR)."
    )
    password: str | None = None


@strawberry.input
class ShipmentRecordInput:
    distributor_id: strawberry.ID
    store_id: strawberry.ID
    product_id: strawberry.ID
    serials: list[str] = strawberry.field(description="One code per unit, as printed on the pack.")
    idempotency_key: str

"""Input types, as the contract names them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from domain.principal import Role


@strawberry.input
class GeoPointInput:
    latitude: float
    longitude: float


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


@strawberry.input
class StoreCreateInput:
    code: str
    name: str
    address: str
    location: GeoPointInput
    service_radius_km: float | None = None


@strawberry.input
class StaffCreateInput:
    store_id: strawberry.ID
    phone: str
    password: str
    name: str
    role: Role


@strawberry.input
class MemberRegisterInput:
    phone: str
    password: str
    name: str
    store_code: str | None = strawberry.field(
        default=None,
        description="The store that signed the member up; it becomes the home store.",
    )
    birthday: date | None = None
    activity_id: strawberry.ID | None = strawberry.field(
        default=None, description="The activity the member signed up at (their source)."
    )


@strawberry.input
class ProductCreateInput:
    sku: str
    name: str
    price: Decimal
    is_member_pack: bool | None = False
    points_per_yuan: Decimal | None = None
    days_per_unit: int | None = None


@strawberry.input
class RewardCreateInput:
    name: str
    points_cost: int

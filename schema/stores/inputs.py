"""What a store, a product or a reward is created from."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.input
class GeoPointInput:
    latitude: float
    longitude: float


@strawberry.input
class StoreCreateInput:
    code: str
    name: str
    address: str
    location: GeoPointInput
    service_radius_km: float | None = None


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

"""Stores and the catalogue: products and rewards."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.stores.models import Product as ProductModel
from domain.stores.models import Reward as RewardModel
from domain.stores.models import Store as StoreModel
from schema.core.context import Info
from schema.core.relay import Node, to_global_id


@strawberry.type
class GeoPoint:
    latitude: float
    longitude: float


@strawberry.type
class Store(Node):
    pk: strawberry.Private[int]
    code: str
    name: str
    address: str
    location: GeoPoint
    service_radius_km: float
    accepting_orders: bool

    @classmethod
    def of(cls, m: StoreModel) -> Store:
        return cls(
            id=to_global_id("Store", m.id),
            pk=m.id,
            code=m.code,
            name=m.name,
            address=m.address,
            location=GeoPoint(latitude=m.latitude, longitude=m.longitude),
            service_radius_km=m.service_radius_km,
            accepting_orders=m.accepting_orders,
        )


async def load_store(info: Info, store_id: int | None) -> Store | None:
    if store_id is None:
        return None
    model = await info.context.loaders.store.load(store_id)
    return Store.of(model) if model else None


@strawberry.type
class Product(Node):
    pk: strawberry.Private[int]
    sku: str
    name: str
    price: Decimal
    is_member_pack: bool
    points_per_yuan: Decimal
    days_per_unit: int | None

    @classmethod
    def of(cls, m: ProductModel) -> Product:
        return cls(
            id=to_global_id("Product", m.id),
            pk=m.id,
            sku=m.sku,
            name=m.name,
            price=m.price,
            is_member_pack=m.is_member_pack,
            points_per_yuan=m.points_per_yuan,
            days_per_unit=m.days_per_unit,
        )


@strawberry.type
class Reward(Node):
    pk: strawberry.Private[int]
    name: str
    points_cost: int

    @classmethod
    def of(cls, m: RewardModel) -> Reward:
        return cls(id=to_global_id("Reward", m.id), pk=m.id, name=m.name, points_cost=m.points_cost)

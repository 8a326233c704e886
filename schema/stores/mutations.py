"""Admins open stores and fill the catalogue; managers pause their store."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain import orders
from domain.stores import catalog
from domain.stores import network as stores
from schema.core.context import Info
from schema.core.errors import attempt
from schema.core.permissions import IsAdmin, IsManagerOrAdmin
from schema.core.relay import decode_id
from schema.stores.inputs import ProductCreateInput, RewardCreateInput, StoreCreateInput
from schema.stores.payloads import ProductPayload, RewardPayload, StorePayload
from schema.stores.types import Product, Reward, Store


@strawberry.type
class StoresMutation:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def store_create(self, info: Info, input: StoreCreateInput) -> StorePayload:
        actor = info.context.actor
        store, errors = await attempt(
            lambda: stores.create_store(
                actor,
                info.context.services.store_index,
                code=input.code,
                name=input.name,
                address=input.address,
                latitude=input.location.latitude,
                longitude=input.location.longitude,
                service_radius_km=input.service_radius_km,
            )
        )
        if store is not None:
            await orders.offer_waiting_orders(info.context.services.dispatch, store)
        return StorePayload(store=Store.of(store) if store else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsManagerOrAdmin],
        description="Manager or admin: open or pause the store for new offers.",
    )
    async def store_set_accepting_orders(
        self, info: Info, id: strawberry.ID, accepting: bool
    ) -> StorePayload:
        actor = info.context.actor
        store, errors = await attempt(
            lambda: stores.set_accepting_orders(actor, decode_id(id, "Store"), accepting)
        )
        if store is not None:
            await orders.offer_waiting_orders(info.context.services.dispatch, store)
        return StorePayload(store=Store.of(store) if store else None, errors=errors)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def product_create(self, info: Info, input: ProductCreateInput) -> ProductPayload:
        actor = info.context.actor
        product, errors = await attempt(
            lambda: catalog.create_product(
                actor,
                sku=input.sku,
                name=input.name,
                price=input.price,
                is_member_pack=bool(input.is_member_pack),
                points_per_yuan=(
                    Decimal(1) if input.points_per_yuan is None else input.points_per_yuan
                ),
                days_per_unit=input.days_per_unit,
            )
        )
        return ProductPayload(product=Product.of(product) if product else None, errors=errors)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def reward_create(self, info: Info, input: RewardCreateInput) -> RewardPayload:
        actor = info.context.actor
        reward, errors = await attempt(
            lambda: catalog.create_reward(actor, name=input.name, points_cost=input.points_cost)
        )
        return RewardPayload(reward=Reward.of(reward) if reward else None, errors=errors)

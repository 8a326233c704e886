"""Stores (nearest first), products and rewards."""

from __future__ import annotations

import strawberry

from domain.errors import Invalid
from domain.paging import offset_page
from domain.stores import catalog
from domain.stores import network as stores
from domain.stores.models import Store as StoreModel
from schema.core.context import Info
from schema.core.errors import bad_input
from schema.core.relay import (
    Connection,
    after_offset,
    offset_connection,
    paginate,
)
from schema.stores.inputs import GeoPointInput
from schema.stores.types import Product, Reward, Store


@strawberry.type
class StoresQuery:
    @strawberry.field(description="Stores, nearest first when `near` is given.")
    async def stores(
        self,
        info: Info,
        near: GeoPointInput | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Store]:
        if near is None:
            return await paginate(StoreModel.filter(active=True), first, after, Store.of)
        try:
            start = after_offset(after)
            ranked = await stores.stores_by_distance(
                info.context.services.store_index, near.latitude, near.longitude
            )
            page = offset_page([s for s, _ in ranked], first=first, offset=start)
        except Invalid as exc:
            raise bad_input(exc.message) from None
        return offset_connection(page, start, [Store.of(s) for s in page.items])

    @strawberry.field
    async def products(self) -> list[Product]:
        return [Product.of(p) for p in await catalog.active_products()]

    @strawberry.field
    async def rewards(self) -> list[Reward]:
        return [Reward.of(r) for r in await catalog.active_rewards()]

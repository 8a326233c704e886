"""Per-request dataloaders: a list of N objects costs one query per relation, not N."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from domain.orders.models import OrderItem, OrderOffer
from domain.people.models import Member, Staff
from domain.stores.models import Product, Reward, Store

M = TypeVar("M", bound=Model)


def _by_id(model: type[M]) -> DataLoader[int, M | None]:
    async def load(ids: Sequence[int]) -> list[M | None]:
        rows = {row.pk: row for row in await model.filter(id__in=list(ids))}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


def _children(model: type[M], parent: str) -> DataLoader[int, list[M]]:
    async def load(ids: Sequence[int]) -> list[list[M]]:
        groups: dict[int, list[M]] = defaultdict(list)
        rows = await model.filter(**{f"{parent}__in": list(ids)}).order_by("id")
        for row in rows:
            groups[getattr(row, parent)].append(row)
        return [groups[i] for i in ids]

    return DataLoader(load_fn=load)


class Loaders:
    """Each loader is made when first asked for: a store app's socket holds a context for
    hours and most never load anything, and seven loaders cost ~4 KiB."""

    @cached_property
    def store(self) -> DataLoader[int, Store | None]:
        return _by_id(Store)

    @cached_property
    def member(self) -> DataLoader[int, Member | None]:
        return _by_id(Member)

    @cached_property
    def staff(self) -> DataLoader[int, Staff | None]:
        return _by_id(Staff)

    @cached_property
    def product(self) -> DataLoader[int, Product | None]:
        return _by_id(Product)

    @cached_property
    def reward(self) -> DataLoader[int, Reward | None]:
        return _by_id(Reward)

    @cached_property
    def order_items(self) -> DataLoader[int, list[OrderItem]]:
        return _children(OrderItem, "order_id")

    @cached_property
    def order_offers(self) -> DataLoader[int, list[OrderOffer]]:
        return _children(OrderOffer, "order_id")

"""Per-request dataloaders: a list of N objects costs one query per relation, not N."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from domain.models import Member, OrderItem, OrderOffer, Product, Reward, Staff, Store

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
    def __init__(self) -> None:
        self.store = _by_id(Store)
        self.member = _by_id(Member)
        self.staff = _by_id(Staff)
        self.product = _by_id(Product)
        self.reward = _by_id(Reward)
        self.order_items = _children(OrderItem, "order_id")
        self.order_offers = _children(OrderOffer, "order_id")

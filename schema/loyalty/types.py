"""Points, vouchers, tiers, campaigns, activities and the ranking."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from domain.enums import (
    Channel,
    MemberTier,
    PointsEntryKind,
    VoucherKind,
    VoucherStatus,
)
from domain.loyalty import Ranked
from domain.loyalty.models import Activity as ActivityModel
from domain.loyalty.models import Campaign as CampaignModel
from domain.loyalty.models import PointsEntry as PointsEntryModel
from domain.loyalty.models import TierChange as TierChangeModel
from domain.loyalty.models import Voucher as VoucherModel
from schema.core.context import Info
from schema.core.relay import Node, decode_id, to_global_id
from schema.people.types import Member
from schema.stores.types import Product, Reward, Store, load_store


@strawberry.type
class PointsEntry(Node):
    pk: strawberry.Private[int]
    store_pk: strawberry.Private[int | None]
    reward_pk: strawberry.Private[int | None]
    delta: int
    balance_after: int
    kind: PointsEntryKind
    note: str | None
    channel: Channel | None
    created_at: datetime

    @classmethod
    def of(cls, m: PointsEntryModel) -> PointsEntry:
        return cls(
            id=to_global_id("PointsEntry", m.id),
            pk=m.id,
            store_pk=m.store_id,
            reward_pk=m.reward_id,
            delta=m.delta,
            balance_after=m.balance_after,
            kind=m.kind,
            note=m.note,
            channel=m.channel,
            created_at=m.created_at,
        )

    @strawberry.field
    async def store(self, info: Info) -> Store | None:
        return await load_store(info, self.store_pk)

    @strawberry.field(description="The reward a REDEMPTION paid for.")
    async def reward(self, info: Info) -> Reward | None:
        if self.reward_pk is None:
            return None
        model = await info.context.loaders.reward.load(self.reward_pk)
        return Reward.of(model) if model else None


@strawberry.type
class Voucher(Node):
    """A free product: a member pack for every 6th member-pack unit bought, or a gift."""

    pk: strawberry.Private[int]
    product_pk: strawberry.Private[int | None]
    store_pk: strawberry.Private[int | None]
    collect_store_pk: strawberry.Private[int | None]
    kind: VoucherKind
    status: VoucherStatus
    issued_at: datetime
    valid_until: date | None
    redeemed_at: datetime | None

    @classmethod
    def of(cls, m: VoucherModel) -> Voucher:
        return cls(
            id=to_global_id("Voucher", m.id),
            pk=m.id,
            product_pk=m.product_id,
            store_pk=m.redeemed_store_id,
            collect_store_pk=m.store_id,
            kind=m.kind,
            status=m.status,
            issued_at=m.issued_at,
            valid_until=m.valid_until,
            redeemed_at=m.redeemed_at,
        )

    @strawberry.field(description="Where it can be collected; null: any store.")
    async def store(self, info: Info) -> Store | None:
        return await load_store(info, self.collect_store_pk)

    @strawberry.field(description="The store that handed the pack over.")
    async def redeemed_store(self, info: Info) -> Store | None:
        return await load_store(info, self.store_pk)

    @strawberry.field(description="The free pack.")
    async def product(self, info: Info) -> Product | None:
        if self.product_pk is None:
            return None
        model = await info.context.loaders.product.load(self.product_pk)
        return Product.of(model) if model else None


@strawberry.type
class TierChange:
    previous: MemberTier
    tier: MemberTier
    reason: str
    changed_at: datetime

    @classmethod
    def of(cls, m: TierChangeModel) -> TierChange:
        return cls(previous=m.previous, tier=m.tier, reason=m.reason, changed_at=m.changed_at)


@strawberry.type
class Campaign(Node):
    """Points times ``multiplier`` over [startsAt, endsAt); the highest applying one wins."""

    pk: strawberry.Private[int]
    store_pks: strawberry.Private[list[int] | None]
    product_pks: strawberry.Private[list[int] | None]
    name: str
    multiplier: Decimal
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, m: CampaignModel) -> Campaign:
        return cls(
            id=to_global_id("Campaign", m.id),
            pk=m.id,
            store_pks=m.store_ids,
            product_pks=m.product_ids,
            name=m.name,
            multiplier=m.multiplier,
            starts_at=m.starts_at,
            ends_at=m.ends_at,
        )

    @strawberry.field(description="The stores it is limited to; null: every store.")
    async def stores(self, info: Info) -> list[Store] | None:
        if self.store_pks is None:
            return None
        found = [await load_store(info, pk) for pk in self.store_pks]
        return [s for s in found if s is not None]

    @strawberry.field(description="The products it is limited to; null: every product.")
    async def products(self, info: Info) -> list[Product] | None:
        if self.product_pks is None:
            return None
        found = await info.context.loaders.product.load_many(self.product_pks)
        return [Product.of(p) for p in found if p is not None]


@strawberry.type
class Activity(Node):
    pk: strawberry.Private[int]
    name: str
    points: int
    cost: Decimal
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, m: ActivityModel) -> Activity:
        return cls(
            id=to_global_id("Activity", m.id),
            pk=m.id,
            name=m.name,
            points=m.points,
            cost=m.cost,
            starts_at=m.starts_at,
            ends_at=m.ends_at,
        )


@strawberry.type
class LeaderboardEntry:
    rank: int
    member: Member
    points: int

    @classmethod
    def of(cls, r: Ranked) -> LeaderboardEntry:
        return cls(rank=r.rank, member=Member.of(r.member), points=r.points)


def ids(values: list[strawberry.ID] | None, type_name: str, field: str) -> list[int] | None:
    if values is None:
        return None
    return [decode_id(v, type_name, f"{field}.{i}") for i, v in enumerate(values)]

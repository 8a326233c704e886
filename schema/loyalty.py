"""Loyalty types, inputs and payloads: campaigns, activities, the ranking, points payloads."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.enums import Channel
from domain.loyalty import Earned, Ranked
from domain.loyalty.models import Activity as ActivityModel
from domain.loyalty.models import Campaign as CampaignModel
from schema.context import Info
from schema.errors import UserError
from schema.inputs import OrderLineInput
from schema.relay import Node, decode_id, to_global_id
from schema.types import Member, PointsEntry, Product, Store, Voucher, load_store


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


@strawberry.input
class PurchaseRecordInput:
    member_id: strawberry.ID
    lines: list[OrderLineInput]
    idempotency_key: str


@strawberry.input
class PointsRedeemInput:
    member_id: strawberry.ID
    reward_id: strawberry.ID
    channel: Channel
    idempotency_key: str


@strawberry.input
class CampaignCreateInput:
    name: str
    multiplier: Decimal
    starts_at: datetime
    ends_at: datetime
    store_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Leave out for every store."
    )
    product_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Leave out for every product."
    )


@strawberry.input
class ActivityCreateInput:
    name: str
    points: int
    cost: Decimal
    starts_at: datetime
    ends_at: datetime


@strawberry.type
class PointsPayload:
    entry: PointsEntry | None = None
    member: Member | None = None
    vouchers_issued: list[Voucher] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: Earned | None, errors: list[UserError]) -> PointsPayload:
        if result is None:
            return cls(errors=errors)
        return cls(
            entry=PointsEntry.of(result.entry),
            member=Member.of(result.member),
            vouchers_issued=[Voucher.of(v) for v in result.vouchers],
            errors=errors,
        )


@strawberry.type
class VoucherPayload:
    voucher: Voucher | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CampaignPayload:
    campaign: Campaign | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ActivityPayload:
    activity: Activity | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def ids(values: list[strawberry.ID] | None, type_name: str, field: str) -> list[int] | None:
    if values is None:
        return None
    return [decode_id(v, type_name, f"{field}.{i}") for i, v in enumerate(values)]

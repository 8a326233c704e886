"""A counter sale, a redemption, a campaign, an activity."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.enums import Channel
from schema.orders.inputs import OrderLineInput


@strawberry.input
class PurchaseRecordInput:
    member_id: strawberry.ID
    lines: list[OrderLineInput]
    idempotency_key: str
    serials: list[str] | None = strawberry.field(
        default=None,
        description=(
            "The codes scanned from the units sold; each must be of a product in the lines."
        ),
    )


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

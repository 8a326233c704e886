"""Loyalty payloads: the points earned or spent, or the expected failures."""

from __future__ import annotations

import strawberry

from domain.loyalty import Earned
from schema.core.errors import UserError
from schema.crm.channel.types import SerialScan
from schema.loyalty.types import Activity, Campaign, PointsEntry, Voucher
from schema.people.types import Member


@strawberry.type
class PointsPayload:
    entry: PointsEntry | None = None
    member: Member | None = None
    vouchers_issued: list[Voucher] = strawberry.field(default_factory=list)
    serials: list[SerialScan] = strawberry.field(
        default_factory=list,
        description="purchaseRecord: what the scan found of each code given, in their order.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: Earned | None, errors: list[UserError]) -> PointsPayload:
        if result is None:
            return cls(errors=errors)
        return cls(
            entry=PointsEntry.of(result.entry),
            member=Member.of(result.member),
            vouchers_issued=[Voucher.of(v) for v in result.vouchers],
            serials=[SerialScan.of(s) for s in result.scans],
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

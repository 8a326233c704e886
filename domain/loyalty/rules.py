"""The earning rules, as one pure function: sale lines, member state, policies -> points, vouchers.

- Regular policy: ``points_per_yuan`` of the product (default 1) per ¥1 of the line, rounded
  down per line.
- Campaigns: a multiplier over ``[starts_at, ends_at)``, optionally limited to stores and/or
  products. Per line, the highest multiplier among the campaigns that apply replaces the
  regular 1; campaigns never add up.
- Buy six, get one: every 6th member-pack unit a member buys, counted over all their
  purchases, issues a voucher for one free pack of the product that reached it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

UNITS_PER_VOUCHER = 6
REGULAR = Decimal(1)


@dataclass(frozen=True)
class SaleLine:
    product_id: int
    quantity: int
    unit_price: Decimal
    points_per_yuan: Decimal = REGULAR
    is_member_pack: bool = False


@dataclass(frozen=True)
class MemberState:
    # Member-pack units bought before this sale.
    member_pack_units: int


@dataclass(frozen=True)
class CampaignPolicy:
    id: int
    name: str
    multiplier: Decimal
    starts_at: datetime
    ends_at: datetime
    store_ids: frozenset[int] | None = None
    product_ids: frozenset[int] | None = None

    def applies(self, store_id: int, product_id: int, at: datetime) -> bool:
        return (
            self.starts_at <= at < self.ends_at
            and (self.store_ids is None or store_id in self.store_ids)
            and (self.product_ids is None or product_id in self.product_ids)
        )


@dataclass(frozen=True)
class LinePoints:
    product_id: int
    points: int
    campaign: CampaignPolicy | None


@dataclass(frozen=True)
class Earning:
    points: int
    lines: tuple[LinePoints, ...]
    member_pack_units: int
    # The product of each voucher issued, in order; its length is the number issued.
    vouchers: tuple[int, ...]
    member_pack_units_after: int
    first_voucher_ordinal: int
    # Set by ``capped``: the points the rules gave before the cap.
    capped_from: int | None = None

    def capped(self, limit: int) -> Earning:
        """At most ``limit`` points: lines keep theirs in order until the limit is reached,
        the rest get what is left (so lines still add up to the total)."""
        if self.points <= limit:
            return self
        left = max(limit, 0)
        lines = []
        for line in self.lines:
            kept = min(line.points, left)
            lines.append(replace(line, points=kept))
            left -= kept
        return replace(self, points=max(limit, 0), lines=tuple(lines), capped_from=self.points)

    @property
    def campaigns(self) -> tuple[CampaignPolicy, ...]:
        seen: dict[int, CampaignPolicy] = {}
        for line in self.lines:
            if line.campaign is not None:
                seen.setdefault(line.campaign.id, line.campaign)
        return tuple(seen.values())


def best_campaign(
    campaigns: Sequence[CampaignPolicy], store_id: int, product_id: int, at: datetime
) -> CampaignPolicy | None:
    """The applying campaign with the highest multiplier (the older one on a tie)."""
    applying = [c for c in campaigns if c.applies(store_id, product_id, at)]
    return max(applying, key=lambda c: (c.multiplier, -c.id), default=None)


def line_points(line: SaleLine, multiplier: Decimal) -> int:
    amount = line.unit_price * line.quantity * line.points_per_yuan * multiplier
    return max(0, int(amount.to_integral_value(rounding=ROUND_FLOOR)))


def evaluate(
    lines: Sequence[SaleLine],
    member: MemberState,
    campaigns: Sequence[CampaignPolicy],
    *,
    store_id: int,
    at: datetime,
) -> Earning:
    scored: list[LinePoints] = []
    units = member.member_pack_units
    vouchers: list[int] = []
    for line in lines:
        campaign = best_campaign(campaigns, store_id, line.product_id, at)
        multiplier = campaign.multiplier if campaign else REGULAR
        scored.append(LinePoints(line.product_id, line_points(line, multiplier), campaign))
        if line.is_member_pack:
            before = units
            units += line.quantity
            vouchers.extend(
                [line.product_id] * (units // UNITS_PER_VOUCHER - before // UNITS_PER_VOUCHER)
            )
    return Earning(
        points=sum(s.points for s in scored),
        lines=tuple(scored),
        member_pack_units=units - member.member_pack_units,
        vouchers=tuple(vouchers),
        member_pack_units_after=units,
        first_voucher_ordinal=member.member_pack_units // UNITS_PER_VOUCHER + 1,
    )

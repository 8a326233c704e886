"""The annual ranking: the members who earned the most points in a calendar year (UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.functions import Sum

from domain.enums import PointsEntryKind
from domain.errors import Invalid
from domain.loyalty.models import PointsEntry
from domain.people.models import Member

MAX_LIMIT = 100
# Earned = what purchases, activities and bonuses brought, less their reversals; spending
# points does not lower a member's rank.
EARNING_KINDS = [
    PointsEntryKind.PURCHASE,
    PointsEntryKind.ACTIVITY,
    PointsEntryKind.BONUS,
    PointsEntryKind.REVERSAL,
]


@dataclass(frozen=True)
class Ranked:
    rank: int
    member: Member
    points: int


async def leaderboard(year: int, limit: int = 10) -> list[Ranked]:
    if not 2000 <= year <= 9998:
        raise Invalid("year must be between 2000 and 9998.", "year")
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}.", "limit")
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = (
        await PointsEntry.filter(created_at__gte=start, created_at__lt=end, kind__in=EARNING_KINDS)
        .annotate(points=Sum("delta"))
        .group_by("member_id")
        .order_by("-points", "member_id")
        .limit(limit)
        .values("member_id", "points")
    )
    rows = [r for r in rows if int(r["points"] or 0) > 0]
    members = {m.id: m for m in await Member.filter(id__in=[r["member_id"] for r in rows])}
    return [
        Ranked(rank=i + 1, member=members[r["member_id"]], points=int(r["points"]))
        for i, r in enumerate(rows)
    ]

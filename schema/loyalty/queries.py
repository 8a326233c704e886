"""Campaigns, activities and the annual points ranking."""

from __future__ import annotations

import strawberry

from domain import loyalty
from domain.errors import Invalid
from schema.core.context import Info
from schema.core.errors import bad_input
from schema.core.permissions import IsAdmin
from schema.loyalty.types import Activity, Campaign, LeaderboardEntry


@strawberry.type
class LoyaltyQuery:
    @strawberry.field(description="Every campaign, the latest start first.")
    async def campaigns(self) -> list[Campaign]:
        return [Campaign.of(c) for c in await loyalty.campaigns()]

    @strawberry.field(description="Every activity, the latest start first.")
    async def activities(self) -> list[Activity]:
        return [Activity.of(a) for a in await loyalty.activities()]

    @strawberry.field(
        permission_classes=[IsAdmin],
        description=(
            "Admin only: the members who earned the most points in the year (UTC), "
            "most first; spending does not lower a rank. limit 1-100."
        ),
    )
    async def points_leaderboard(
        self, info: Info, year: int, limit: int = 10
    ) -> list[LeaderboardEntry]:
        try:
            ranked = await loyalty.leaderboard(year, limit)
        except Invalid as exc:
            raise bad_input(exc.message) from None
        return [LeaderboardEntry.of(r) for r in ranked]

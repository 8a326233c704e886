"""Loyalty queries: campaigns, activities, the annual ranking, members at the counter."""

from __future__ import annotations

import strawberry

from domain import loyalty
from domain.errors import Invalid
from domain.people.members import member_by_phone
from domain.principal import Role
from schema.context import Info
from schema.errors import bad_input
from schema.loyalty import Activity, Campaign, LeaderboardEntry
from schema.types import Member


@strawberry.type
class LoyaltyQuery:
    @strawberry.field(description="Every campaign, the latest start first.")
    async def campaigns(self) -> list[Campaign]:
        return [Campaign.of(c) for c in await loyalty.campaigns()]

    @strawberry.field(description="Every activity, the latest start first.")
    async def activities(self) -> list[Activity]:
        return [Activity.of(a) for a in await loyalty.activities()]

    @strawberry.field(
        description=(
            "Admin only: the members who earned the most points in the year (UTC), "
            "most first; spending does not lower a rank. limit 1-100."
        )
    )
    async def points_leaderboard(
        self, info: Info, year: int, limit: int = 10
    ) -> list[LeaderboardEntry]:
        info.context.require(Role.ADMIN)
        try:
            ranked = await loyalty.leaderboard(year, limit)
        except Invalid as exc:
            raise bad_input(exc.message) from None
        return [LeaderboardEntry.of(r) for r in ranked]

    @strawberry.field(
        description="Staff and admins: the member with this phone (any home store), or null."
    )
    async def member_by_phone(self, info: Info, phone: str) -> Member | None:
        info.context.require(Role.ADMIN, Role.MANAGER, Role.CLERK)
        member = await member_by_phone(phone)
        return Member.of(member) if member else None

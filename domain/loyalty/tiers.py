"""Member tiers: the rules in one place, recomputed after every purchase.

    POTENTIAL  no purchase yet
    REGULAR    has bought
    LOYAL      at least ``loyal_purchases`` purchases within the last ``loyal_window_days``
    ADVOCATE   loyal, and referred at least ``advocate_referrals`` members who have bought

A tier can fall as well as rise (a loyal member who stops buying is regular at the next
purchase); every change is kept in the member's tier history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.models import Member, Purchase, TierChange
from domain.models.enums import MemberTier


@dataclass(frozen=True)
class TierRules:
    loyal_purchases: int = 3
    loyal_window_days: int = 180
    advocate_referrals: int = 1


DEFAULT_RULES = TierRules()


@dataclass(frozen=True)
class Standing:
    purchases: int
    recent_purchases: int
    referred_buyers: int


def tier_for(standing: Standing, rules: TierRules = DEFAULT_RULES) -> MemberTier:
    if standing.purchases == 0:
        return MemberTier.POTENTIAL
    if standing.recent_purchases < rules.loyal_purchases:
        return MemberTier.REGULAR
    if standing.referred_buyers < rules.advocate_referrals:
        return MemberTier.LOYAL
    return MemberTier.ADVOCATE


def reason_for(tier: MemberTier, rules: TierRules = DEFAULT_RULES) -> str:
    return {
        MemberTier.POTENTIAL: "no purchase",
        MemberTier.REGULAR: "has bought",
        MemberTier.LOYAL: (
            f"{rules.loyal_purchases} purchases within {rules.loyal_window_days} days"
        ),
        MemberTier.ADVOCATE: "loyal, and referred a member who bought",
    }[tier]


async def standing_of(member_id: int, now: datetime, rules: TierRules) -> Standing:
    since = now - timedelta(days=rules.loyal_window_days)
    bought = Purchase.filter(member_id=member_id)
    referred = (
        await Purchase.filter(member__referred_by_id=member_id)
        .distinct()
        .values_list("member_id", flat=True)
    )
    return Standing(
        purchases=await bought.count(),
        recent_purchases=await bought.filter(created_at__gt=since).count(),
        referred_buyers=len(set(referred)),
    )


async def recompute(member_id: int, now: datetime, rules: TierRules = DEFAULT_RULES) -> None:
    """Set the member's tier from their purchases (call inside the purchase's transaction);
    a member's first purchase may also make their referrer an advocate."""
    await _recompute_one(member_id, now, rules)
    member = await Member.get(id=member_id)
    if member.referred_by_id is not None:
        await _recompute_one(member.referred_by_id, now, rules)


async def _recompute_one(member_id: int, now: datetime, rules: TierRules) -> None:
    member = await Member.get(id=member_id)
    tier = tier_for(await standing_of(member_id, now, rules), rules)
    if tier is member.tier:
        return
    await Member.filter(id=member_id).update(tier=tier)
    await TierChange.create(
        member_id=member_id,
        previous=member.tier,
        tier=tier,
        reason=reason_for(tier, rules),
        changed_at=now,
    )

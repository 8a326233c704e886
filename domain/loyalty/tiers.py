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

from domain.enums import MemberTier
from domain.loyalty.models import Purchase, TierChange
from domain.people.models import Member


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


async def recompute(member: Member, now: datetime, rules: TierRules = DEFAULT_RULES) -> None:
    """Set the member's tier from their purchases, inside the purchase's transaction (with
    ``member`` as locked before it). A member's first purchase may make their referrer an
    advocate, so the referrer is recomputed then."""
    standing = await standing_of(member.id, now, rules)
    await _apply(member.id, member.tier, tier_for(standing, rules), now, rules)
    if standing.purchases == 1 and member.referred_by_id is not None:
        referrer = await Member.get(id=member.referred_by_id)
        tier = tier_for(await standing_of(referrer.id, now, rules), rules)
        await _apply(referrer.id, referrer.tier, tier, now, rules)


async def _apply(
    member_id: int, previous: MemberTier, tier: MemberTier, now: datetime, rules: TierRules
) -> None:
    # Conditional, so a change raced by another purchase is recorded once.
    if tier is previous or not await Member.filter(id=member_id, tier=previous).update(tier=tier):
        return
    await TierChange.create(
        member_id=member_id,
        previous=previous,
        tier=tier,
        reason=reason_for(tier, rules),
        changed_at=now,
    )

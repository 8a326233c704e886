"""Loyalty: the points ledger, earning rules, redemption, vouchers, campaigns, activities,
tiers and the annual ranking."""

from domain.loyalty.earning import (
    Earned,
    earn_for_order,
    earned,
    record_purchase,
    reverse_order,
)
from domain.loyalty.ledger import InsufficientPoints
from domain.loyalty.policies import (
    activities,
    campaigns,
    check_in,
    create_activity,
    create_campaign,
)
from domain.loyalty.ranking import Ranked, leaderboard
from domain.loyalty.redeeming import redeem_points, redeem_voucher

__all__ = [
    "Earned",
    "InsufficientPoints",
    "Ranked",
    "activities",
    "campaigns",
    "check_in",
    "create_activity",
    "create_campaign",
    "earn_for_order",
    "earned",
    "leaderboard",
    "record_purchase",
    "redeem_points",
    "redeem_voucher",
    "reverse_order",
]

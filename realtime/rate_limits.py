"""The budgets that rate limits count against (the counting itself is in ``schema.guards``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` hits per ``window_seconds`` for one subject."""

    name: str
    limit: int
    window_seconds: int


@dataclass(frozen=True)
class RateLimits:
    """The budgets in force; their values come from the settings (``api.settings``)."""

    # Failed sign-ins per phone, then refused until the window ends.
    login_failures_per_phone: Rate
    # Sign-in attempts per client address, failed or not.
    logins_per_address: Rate
    order_place: Rate
    points_redeem: Rate

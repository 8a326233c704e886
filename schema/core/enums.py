"""The domain's enums, registered with strawberry once for every area."""

from __future__ import annotations

import strawberry

from domain.access.accounts import AccountKind as SignInRole
from domain.enums import (
    Channel,
    MemberSource,
    MemberTier,
    OfferStatus,
    OrderStatus,
    PointsEntryKind,
    VoucherKind,
    VoucherStatus,
)
from domain.principal import Role

for _enum in (
    Role,
    MemberTier,
    MemberSource,
    OrderStatus,
    OfferStatus,
    PointsEntryKind,
    Channel,
    VoucherKind,
    VoucherKind,
    VoucherStatus,
):
    strawberry.enum(_enum)
strawberry.enum(
    SignInRole,
    name="SignInRole",
    description="Which of a phone's accounts tokenCreate opens.",
)

__all__ = ["SignInRole"]

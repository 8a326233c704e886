"""Enumerations stored in the database (as their string values)."""

from enum import StrEnum


class StaffRole(StrEnum):
    CLERK = "CLERK"
    MANAGER = "MANAGER"


class MemberTier(StrEnum):
    POTENTIAL = "POTENTIAL"
    REGULAR = "REGULAR"
    LOYAL = "LOYAL"
    ADVOCATE = "ADVOCATE"


class MemberSource(StrEnum):
    SELF = "SELF"
    STORE_CODE = "STORE_CODE"
    CLERK = "CLERK"
    PROSPECT_LIST = "PROSPECT_LIST"
    ACTIVITY = "ACTIVITY"


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
    UNASSIGNED = "UNASSIGNED"


class OfferStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"


class PointsEntryKind(StrEnum):
    PURCHASE = "PURCHASE"
    ACTIVITY = "ACTIVITY"
    REDEMPTION = "REDEMPTION"
    BONUS = "BONUS"
    ADJUSTMENT = "ADJUSTMENT"
    REVERSAL = "REVERSAL"


class Channel(StrEnum):
    STORE = "STORE"
    WEB = "WEB"
    APP = "APP"
    PHONE = "PHONE"


class VoucherStatus(StrEnum):
    ISSUED = "ISSUED"
    REDEEMED = "REDEEMED"


class VoucherKind(StrEnum):
    SIX_FOR_ONE = "SIX_FOR_ONE"
    WELCOME = "WELCOME"
    BIRTHDAY = "BIRTHDAY"

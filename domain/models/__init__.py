"""Every Tortoise model of o2o; tortoise discovers them through ``__models__``."""

from domain.models.catalog import Product, Reward
from domain.models.loyalty import (
    Activity,
    ActivityCheckIn,
    Campaign,
    Purchase,
    PurchaseLine,
    TierChange,
    Voucher,
)
from domain.models.orders import Order, OrderItem, OrderOffer
from domain.models.people import Admin, Member, Staff
from domain.models.points import IdempotencyKey, PointsEntry
from domain.models.sessions import TokenRevocation
from domain.models.stores import Store

__models__ = [
    Store,
    Staff,
    Admin,
    Member,
    Product,
    Reward,
    Order,
    OrderItem,
    OrderOffer,
    PointsEntry,
    IdempotencyKey,
    Purchase,
    PurchaseLine,
    Voucher,
    Campaign,
    Activity,
    ActivityCheckIn,
    TierChange,
    TokenRevocation,
]

__all__ = [
    "Activity",
    "ActivityCheckIn",
    "Admin",
    "Campaign",
    "IdempotencyKey",
    "Member",
    "Order",
    "OrderItem",
    "OrderOffer",
    "PointsEntry",
    "Product",
    "Purchase",
    "PurchaseLine",
    "Reward",
    "Staff",
    "Store",
    "TierChange",
    "TokenRevocation",
    "Voucher",
]

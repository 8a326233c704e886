"""Every Tortoise model of o2o; tortoise discovers them through ``__models__``."""

from domain.models.catalog import Product, Reward
from domain.models.orders import Order, OrderItem, OrderOffer
from domain.models.people import Admin, Member, Staff
from domain.models.points import IdempotencyKey, PointsEntry
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
]

__all__ = [
    "Admin",
    "IdempotencyKey",
    "Member",
    "Order",
    "OrderItem",
    "OrderOffer",
    "PointsEntry",
    "Product",
    "Reward",
    "Staff",
    "Store",
]

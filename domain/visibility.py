"""What each caller may read: admins everything, staff their store's, a member their own."""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from domain.members import visible_members
from domain.models import Order, OrderOffer, PointsEntry, Staff, TierChange, Voucher
from domain.models.enums import VoucherStatus
from domain.principal import Principal

__all__ = [
    "offer_visible",
    "visible_members",
    "visible_offers",
    "visible_orders",
    "visible_points",
    "visible_staff",
    "visible_tier_changes",
    "visible_vouchers",
]


def visible_staff(actor: Principal) -> QuerySet[Staff]:
    if actor.is_admin:
        return Staff.all()
    if actor.is_staff:
        return Staff.filter(store_id=actor.store_id)
    return Staff.filter(id=-1)


def visible_orders(actor: Principal) -> QuerySet[Order]:
    if actor.is_admin:
        return Order.all()
    if actor.is_staff:
        return Order.filter(store_id=actor.store_id)
    return Order.filter(member_id=actor.user_id)


def visible_offers(actor: Principal) -> QuerySet[OrderOffer]:
    if actor.is_admin:
        return OrderOffer.all()
    if actor.is_staff:
        return OrderOffer.filter(store_id=actor.store_id)
    return OrderOffer.filter(order__member_id=actor.user_id)


def offer_visible(actor: Principal, offer: OrderOffer, order_member_id: int) -> bool:
    """``visible_offers`` for one offer already loaded (an order's routing history)."""
    if actor.is_admin:
        return True
    if actor.is_staff:
        return offer.store_id == actor.store_id
    return order_member_id == actor.user_id


def visible_points(actor: Principal) -> QuerySet[PointsEntry]:
    if actor.is_admin:
        return PointsEntry.all()
    if actor.is_staff:
        return PointsEntry.filter(
            Q(store_id=actor.store_id) | Q(member__home_store_id=actor.store_id)
        )
    return PointsEntry.filter(member_id=actor.user_id)


def visible_vouchers(actor: Principal) -> QuerySet[Voucher]:
    """Staff also see every ISSUED voucher: any store's counter hands the free pack over
    (``voucherRedeem``), whatever the member's home store."""
    if actor.is_admin:
        return Voucher.all()
    if actor.is_staff:
        return Voucher.filter(
            Q(redeemed_store_id=actor.store_id)
            | Q(member__home_store_id=actor.store_id)
            | Q(status=VoucherStatus.ISSUED)
        )
    return Voucher.filter(member_id=actor.user_id)


def visible_tier_changes(actor: Principal) -> QuerySet[TierChange]:
    """Like the member: admins all, staff their store's members', a member their own."""
    if actor.is_admin:
        return TierChange.all()
    if actor.is_staff:
        return TierChange.filter(member__home_store_id=actor.store_id)
    return TierChange.filter(member_id=actor.user_id)

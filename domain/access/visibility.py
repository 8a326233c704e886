"""What each caller may read: admins everything, staff their store's, a member their own."""

from __future__ import annotations

from typing import TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain.enums import VoucherStatus
from domain.loyalty.models import PointsEntry, TierChange, Voucher
from domain.orders.models import Order, OrderOffer
from domain.people.models import Member, Staff
from domain.principal import Principal

__all__ = [
    "offer_visible",
    "order_visible",
    "visible_members",
    "visible_offers",
    "visible_orders",
    "visible_points",
    "visible_staff",
    "visible_tier_changes",
    "visible_vouchers",
]


M = TypeVar("M", bound=Model)


def _scoped(actor: Principal, model: type[M], *, staff: Q, member: Q) -> QuerySet[M]:
    """Admins every row; staff the rows ``staff`` selects; a member those ``member`` does;
    anyone else (a distributor) none: its user id is not a member's."""
    if actor.is_admin:
        return model.all()
    if actor.is_staff:
        return model.filter(staff)
    if actor.is_member:
        return model.filter(member)
    return model.filter(id=-1)


def visible_members(actor: Principal) -> QuerySet[Member]:
    """Admins see every member, staff their store's, a member only themselves."""
    return _scoped(actor, Member, staff=Q(home_store_id=actor.store_id), member=Q(id=actor.user_id))


def visible_staff(actor: Principal) -> QuerySet[Staff]:
    return _scoped(actor, Staff, staff=Q(store_id=actor.store_id), member=Q(id=-1))


def visible_orders(actor: Principal) -> QuerySet[Order]:
    return _scoped(
        actor, Order, staff=Q(store_id=actor.store_id), member=Q(member_id=actor.user_id)
    )


def order_visible(actor: Principal, order: Order) -> bool:
    """``visible_orders`` for one order already loaded (a mutation's result, an event's row)."""
    if actor.is_admin:
        return True
    if actor.is_staff:
        return order.store_id == actor.store_id
    return order.member_id == actor.user_id


def visible_offers(actor: Principal) -> QuerySet[OrderOffer]:
    return _scoped(
        actor,
        OrderOffer,
        staff=Q(store_id=actor.store_id),
        member=Q(order__member_id=actor.user_id),
    )


def offer_visible(actor: Principal, offer: OrderOffer, order_member_id: int) -> bool:
    """``visible_offers`` for one offer already loaded (an order's routing history)."""
    if actor.is_admin:
        return True
    if actor.is_staff:
        return offer.store_id == actor.store_id
    return actor.is_member and order_member_id == actor.user_id


def visible_points(actor: Principal) -> QuerySet[PointsEntry]:
    return _scoped(
        actor,
        PointsEntry,
        staff=Q(store_id=actor.store_id) | Q(member__home_store_id=actor.store_id),
        member=Q(member_id=actor.user_id),
    )


def visible_vouchers(actor: Principal) -> QuerySet[Voucher]:
    """Staff also see every ISSUED voucher: any store's counter hands the free pack over
    (``voucherRedeem``), whatever the member's home store."""
    return _scoped(
        actor,
        Voucher,
        staff=Q(redeemed_store_id=actor.store_id)
        | Q(member__home_store_id=actor.store_id)
        | Q(status=VoucherStatus.ISSUED),
        member=Q(member_id=actor.user_id),
    )


def visible_tier_changes(actor: Principal) -> QuerySet[TierChange]:
    """Like the member: admins all, staff their store's members', a member their own."""
    return _scoped(
        actor,
        TierChange,
        staff=Q(member__home_store_id=actor.store_id),
        member=Q(member_id=actor.user_id),
    )

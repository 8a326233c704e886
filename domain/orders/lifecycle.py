"""After acceptance: delivery by the accepting store; cancellation by the member or an admin."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from domain import loyalty
from domain.enums import OfferStatus
from domain.errors import Forbidden, NotFound
from domain.orders import states
from domain.orders.dispatch import Dispatch, Effects
from domain.orders.models import Order, OrderOffer
from domain.principal import Principal


async def _delivering_order(actor: Principal, order_id: int) -> Order:
    if not actor.is_staff:
        raise Forbidden("Only staff of the accepting store deliver an order.")
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise NotFound("No order has this id.", "id")
    if order.store_id != actor.store_id or order.accepted_at is None:
        raise Forbidden("Only the store that accepted this order delivers it.")
    return order


async def start_delivery(dispatch: Dispatch, actor: Principal, order_id: int) -> Order:
    await _delivering_order(actor, order_id)
    await states.move(order_id, states.Move.START_DELIVERY)
    await _changed(dispatch, order_id)
    return await Order.get(id=order_id)


async def complete_delivery(dispatch: Dispatch, actor: Principal, order_id: int) -> Order:
    """Delivered: the member earns, credited to the accepting store, in the same transaction
    as the move (which succeeds once, so the order earns once)."""
    order = await _delivering_order(actor, order_id)
    now = dispatch.now()
    async with in_transaction():
        await states.move(order_id, states.Move.COMPLETE, delivered_at=now)
        await loyalty.earn_for_order(order, now)
    effects = Effects()
    effects.order_changed(order_id)
    effects.delivered(order, now)
    await effects.apply(dispatch)
    return await Order.get(id=order_id)


async def cancel_order(dispatch: Dispatch, actor: Principal, order_id: int) -> Order:
    """The member cancels before delivery starts; an admin any time (after delivery: a
    refund). What the order earned is reversed in the same transaction."""
    order = await Order.get_or_none(id=order_id)
    if actor.is_staff:
        raise Forbidden("Staff decline an order; only the customer or an admin cancels.")
    if order is None or not (actor.is_admin or order.member_id == actor.user_id):
        raise NotFound("No order has this id.", "id")
    step = states.Move.CANCEL_BY_ADMIN if actor.is_admin else states.Move.CANCEL_BY_MEMBER
    now = dispatch.now()
    effects = Effects()
    async with in_transaction():
        # The offer is locked before the order, as accept, decline and expiry lock them:
        # taken the other way round, a cancel and an accept at once would deadlock.
        pending = await _pending_offer_locked(order_id)
        await states.move_loaded(order, step, cancelled_at=now)
        await loyalty.reverse_order(order_id, now)
        if pending is not None:
            reason = "cancelled by the customer"
            await OrderOffer.filter(id=pending.id, status=OfferStatus.PENDING).update(
                status=OfferStatus.WITHDRAWN, responded_at=now, reason=reason
            )
            _withdrawn(pending, now, reason)
            effects.ended(pending, order)
    effects.order_changed(order_id)
    await effects.apply(dispatch)
    return await Order.get(id=order_id)


async def _pending_offer_locked(order_id: int) -> OrderOffer | None:
    return (
        await OrderOffer.filter(order_id=order_id, status=OfferStatus.PENDING)
        .select_for_update()
        .first()
    )


def _withdrawn(offer: OrderOffer, now: datetime, reason: str) -> None:
    offer.status, offer.responded_at, offer.reason = OfferStatus.WITHDRAWN, now, reason


async def _changed(dispatch: Dispatch, order_id: int) -> None:
    effects = Effects()
    effects.order_changed(order_id)
    await effects.apply(dispatch)

"""Offers: a store accepts, declines or lets the window close; the order then moves on."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from domain import validation
from domain.enums import OfferStatus, OrderStatus
from domain.errors import DomainError, ErrorCode, Forbidden, NotFound
from domain.orders import states
from domain.orders.dispatch import Dispatch, Effects
from domain.orders.models import Order, OrderOffer
from domain.orders.reading import Expiring, pending_offers
from domain.orders.routing import (
    Candidate,
    Destination,
    choose_store,
    choose_stores,
    distance_km,
    tried_stores,
    tried_stores_of,
)
from domain.orders.writing import expire_and_route
from domain.people.models import Member
from domain.principal import Principal
from domain.stores.models import Store
from realtime import keys

log = logging.getLogger("o2o.orders")

# A deadline claimed a little before its offer's expiry (clocks of two machines differ) waits.
EARLY_TOLERANCE = timedelta(milliseconds=5)
WAITING_ORDERS_PAGE = 500
KM_PER_DEGREE = 111.0  # of latitude, a little under, so the box errs wide


class OfferNotPending(DomainError):
    def __init__(self) -> None:
        super().__init__(
            ErrorCode.OFFER_NOT_PENDING,
            "This offer is no longer open: it expired, was withdrawn or was answered.",
        )


async def _own_offer(actor: Principal, order_id: int) -> OrderOffer:
    """The newest offer of this order to the caller's store."""
    if not actor.is_staff:
        raise Forbidden("Only staff of the offered store can answer an offer.")
    if not await Order.exists(id=order_id):
        raise NotFound("No order has this id.", "id")
    offer = (
        await OrderOffer.filter(order_id=order_id, store_id=actor.store_id).order_by("-id").first()
    )
    if offer is None:
        raise Forbidden("This order was not offered to your store.")
    if offer.status is not OfferStatus.PENDING:
        raise OfferNotPending()
    return offer


async def accept_order(dispatch: Dispatch, actor: Principal, order_id: int) -> Order:
    offer = await _own_offer(actor, order_id)
    now = dispatch.now()
    effects = Effects()
    async with in_transaction():
        won = await OrderOffer.filter(
            id=offer.id, status=OfferStatus.PENDING, expires_at__gt=now
        ).update(status=OfferStatus.ACCEPTED, responded_at=now)
        if not won:
            raise OfferNotPending()
        await states.move(order_id, states.Move.ACCEPT, accepted_at=now, store_id=offer.store_id)
    offer.status, offer.responded_at = OfferStatus.ACCEPTED, now
    order = await Order.get(id=order_id)
    effects.ended(offer, order)
    effects.order_changed(order_id)
    await effects.apply(dispatch)
    return order


async def decline_order(
    dispatch: Dispatch, actor: Principal, order_id: int, reason: str | None
) -> Order:
    offer = await _own_offer(actor, order_id)
    note = validation.plain(reason.strip(), "reason")[:255] if reason else ""
    await _end_and_route(dispatch, offer, OfferStatus.DECLINED, note or None)
    return await Order.get(id=order_id)


async def expire_offer(dispatch: Dispatch, offer_id: int) -> bool:
    """End an offer whose window closed and route its order on; False when nothing was due.

    Safe to call any number of times: only the first call that finds it pending acts.
    """
    offer = await OrderOffer.get_or_none(id=offer_id)
    if offer is None or offer.status is not OfferStatus.PENDING:
        return False
    if offer.expires_at - EARLY_TOLERANCE > dispatch.now():
        await dispatch.deadlines.schedule(
            keys.offer_deadline(offer.id), offer.expires_at.timestamp()
        )
        return False
    return await _end_and_route(dispatch, offer, OfferStatus.EXPIRED, None)


async def expire_offers(dispatch: Dispatch, offer_ids: list[int]) -> int:
    """``expire_offer`` for many offers at once, in a few statements whatever their number;
    how many expired. When anything is unusual (an offer answered meanwhile, an order that
    moved), it falls back to expiring them one by one, which decides each race on its own.
    """
    now = dispatch.now()
    pending = await pending_offers(offer_ids)
    early = Effects()  # claimed a little before their time (another machine's clock): wait
    for offer in (p.offer for p in pending):
        if offer.expires_at - EARLY_TOLERANCE > now:
            early.schedule[keys.offer_deadline(offer.id)] = offer.expires_at.timestamp()
    await early.apply(dispatch)
    due = [p for p in pending if keys.offer_deadline(p.offer.id) not in early.schedule]
    if not due:
        return 0
    try:
        effects = await _expire_together(dispatch, due, now)
    except _Unusual:  # a race the batch does not decide: each offer on its own
        return await _expire_one_by_one(dispatch, due)
    except Exception:
        log.warning("expiring %d offers together failed; one by one", len(due), exc_info=True)
        return await _expire_one_by_one(dispatch, due)
    await effects.apply(dispatch)
    return len(due)


async def _expire_one_by_one(dispatch: Dispatch, due: list[Expiring]) -> int:
    """Each on its own, so one broken row stops none of the others; then its error."""
    expired, failure = 0, None
    for each in due:
        try:
            expired += await expire_offer(dispatch, each.offer.id)
        except Exception as exc:
            failure = failure or exc
    if failure is not None:
        raise failure
    return expired


class _Unusual(Exception):
    """A batch met a row that changed under it: roll back and go one by one."""


async def _expire_together(dispatch: Dispatch, due: list[Expiring], now: datetime) -> Effects:
    order_ids = [each.order.id for each in due]
    if len(set(order_ids)) != len(order_ids):
        raise _Unusual  # two pending offers of one order: let the single path sort it out
    wheres = [
        Destination(
            each.order.delivery_latitude,
            each.order.delivery_longitude,
            each.home_store_id,
            each.tried,
        )
        for each in due
    ]
    routes = await choose_stores(dispatch.stores, wheres)
    moved = [
        (each.order, store.id if store else None) for each, store in zip(due, routes, strict=True)
    ]
    orders = {each.order.id: each.order for each in due}
    expires = now + timedelta(seconds=dispatch.offer_timeout)
    offered = await expire_and_route([each.offer.id for each in due], moved, now, expires)
    if offered is None:
        raise _Unusual
    effects = Effects()
    for each in due:
        each.offer.status, each.offer.responded_at = OfferStatus.EXPIRED, now
        effects.ended(each.offer, each.order)
    for new in offered:
        effects.offered(new, orders[new.order_id])
    for order, _ in moved:
        if order.store_id is None:
            effects.unassigned(order.id)
        effects.order_changed(order.id)
    return effects


async def _end_and_route(
    dispatch: Dispatch, offer: OrderOffer, status: OfferStatus, reason: str | None
) -> bool:
    order = await Order.get(id=offer.order_id)
    member = await Member.get(id=order.member_id)
    exclude = await tried_stores(order.id)
    nxt = await choose_store(
        dispatch.stores,
        latitude=order.delivery_latitude,
        longitude=order.delivery_longitude,
        home_store_id=member.home_store_id,
        exclude=exclude,
    )
    now = dispatch.now()
    effects = Effects()
    still_open: dict[str, datetime] = (
        {} if status is OfferStatus.EXPIRED else {"expires_at__gt": now}
    )
    async with in_transaction():
        # A decline, like an accept, is an answer within the window; past it, the expiry is.
        won = await OrderOffer.filter(id=offer.id, status=OfferStatus.PENDING, **still_open).update(
            status=status, responded_at=now, reason=reason
        )
        if not won:
            if status is OfferStatus.DECLINED:
                raise OfferNotPending()
            return False
        offer.status, offer.responded_at, offer.reason = status, now, reason
        effects.ended(offer, order)  # the rows are read when the effects are sent
        await _offer_or_unassign(dispatch, order, nxt, now, effects)
    await effects.apply(dispatch)
    return True


async def _offer_or_unassign(
    dispatch: Dispatch, order: Order, store: Candidate | None, now: datetime, effects: Effects
) -> None:
    """Inside a transaction: give the order to ``store``, or mark it UNASSIGNED if None."""
    if store is None:
        await states.move_loaded(order, states.Move.UNASSIGN, store_id=None)
        effects.unassigned(order.id)
    else:
        await states.move_loaded(order, states.Move.OFFER, store_id=store.id)
        await _new_offer(dispatch, order, now, effects)
    effects.order_changed(order.id)


async def _new_offer(dispatch: Dispatch, order: Order, now: datetime, effects: Effects) -> None:
    """Offer ``order`` to the store it was just moved to."""
    expires = now + timedelta(seconds=dispatch.offer_timeout)
    offer = await OrderOffer.create(
        order_id=order.id, store_id=order.store_id, offered_at=now, expires_at=expires
    )
    effects.offered(offer, order)


async def assign_order(dispatch: Dispatch, actor: Principal, order_id: int, store_id: int) -> Order:
    """An admin gives a PENDING or UNASSIGNED order to a store of their choice."""
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise NotFound("No order has this id.", "id")
    store = await Store.get_or_none(id=store_id, active=True)
    if store is None:
        raise NotFound("No open store has this id.", "storeId")
    now = dispatch.now()
    effects = Effects()
    async with in_transaction():
        pending = await OrderOffer.filter(order_id=order_id, status=OfferStatus.PENDING).first()
        if pending is not None:
            reason = "reassigned by an admin"
            await OrderOffer.filter(id=pending.id, status=OfferStatus.PENDING).update(
                status=OfferStatus.WITHDRAWN, responded_at=now, reason=reason
            )
            pending.status, pending.responded_at, pending.reason = (
                OfferStatus.WITHDRAWN,
                now,
                reason,
            )
            effects.ended(pending, order)  # the rows are read when the effects are sent
        await states.move_loaded(order, states.Move.OFFER, store_id=store.id)
        await _new_offer(dispatch, order, now, effects)
    effects.order_changed(order_id)
    await effects.apply(dispatch)
    return await Order.get(id=order_id)


async def offer_waiting_orders(dispatch: Dispatch, store: Store) -> int:
    """Offer the UNASSIGNED orders inside ``store``'s radius to it (it opened or resumed):
    all of them, a page at a time, each in its own transaction; how many it was offered."""
    if not (store.active and store.accepting_orders):
        return 0
    offered, after = 0, 0
    while page := await _waiting_near(store, after):
        after = page[-1].id
        tried = await tried_stores_of([order.id for order in page])
        for order in page:
            if _serves(store, order) and store.id not in tried[order.id]:
                offered += await _offer_waiting(dispatch, order, store)
    return offered


async def _waiting_near(store: Store, after: int) -> list[Order]:
    """The next page of UNASSIGNED orders (by id) in a box around ``store``'s radius."""
    lat, lng = store.latitude, store.longitude
    d_lat = store.service_radius_km / KM_PER_DEGREE
    box = Order.filter(
        status=OrderStatus.UNASSIGNED,
        id__gt=after,
        delivery_latitude__gte=lat - d_lat,
        delivery_latitude__lte=lat + d_lat,
    )
    cos_lat = math.cos(math.radians(min(abs(lat) + d_lat, 90.0)))
    if cos_lat > 0 and (d_lng := d_lat / cos_lat) < 180 - abs(lng):  # no pole, no 180th meridian
        box = box.filter(delivery_longitude__gte=lng - d_lng, delivery_longitude__lte=lng + d_lng)
    return await box.order_by("id").limit(WAITING_ORDERS_PAGE)


def _serves(store: Store, order: Order) -> bool:
    reach = distance_km(
        store.latitude, store.longitude, order.delivery_latitude, order.delivery_longitude
    )
    return reach <= store.service_radius_km


async def _offer_waiting(dispatch: Dispatch, order: Order, store: Store) -> int:
    """1 when ``order`` was still UNASSIGNED and is now offered to ``store``, else 0."""
    now = dispatch.now()
    effects = Effects()
    try:
        async with in_transaction():
            await states.move_loaded(order, states.Move.OFFER_WAITING, store_id=store.id)
            await _new_offer(dispatch, order, now, effects)
    except states.InvalidTransition:  # taken meanwhile (assigned, cancelled, another store)
        return 0
    effects.order_changed(order.id)
    await effects.apply(dispatch)
    return 1


async def reschedule_pending(dispatch: Dispatch) -> int:
    """Put every pending offer's deadline (back) in the queue: Redis may have lost them."""
    rows = await OrderOffer.filter(status=OfferStatus.PENDING).values_list("id", "expires_at")
    await dispatch.deadlines.schedule_many(
        {keys.offer_deadline(i): at.timestamp() for i, at in rows}
    )
    return len(rows)

"""Live streams: a store's offers, and one order's changes."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import strawberry

from domain.access.visibility import order_visible, visible_orders
from domain.enums import OfferStatus, OrderStatus
from domain.errors import NotFound
from domain.orders.dispatch import model_of
from domain.orders.models import Order as OrderModel
from domain.orders.models import OrderOffer as OfferModel
from domain.principal import Principal
from domain.stores.models import Store as StoreModel
from realtime import keys
from realtime.bus import EventBus
from schema.core.context import Context, Info
from schema.core.errors import bad_input, forbidden, not_found
from schema.core.loaders import Loaders
from schema.core.permissions import IsAdmin, IsSignedIn, IsStaffOrAdmin
from schema.core.relay import decode_id
from schema.orders.types import OfferEventKind, Order, OrderOffer, OrderOfferEvent

FINAL = frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED})


async def _store_of(actor: Principal, store_id: strawberry.ID | None) -> int:
    if actor.is_staff:
        assert actor.store_id is not None
        if store_id is not None and _decode(store_id, "Store", "storeId") != actor.store_id:
            raise forbidden("Staff see their own store's offers only.")
        return actor.store_id
    if store_id is None:
        raise bad_input("An admin names the store: storeId.")
    pk = _decode(store_id, "Store", "storeId")
    if not await StoreModel.exists(id=pk):
        raise not_found("No store has this id.")
    return pk


def _decode(global_id: str, type_name: str, field: str) -> int:
    try:
        return decode_id(global_id, type_name, field)
    except NotFound as exc:
        raise not_found(exc.message) from None


async def _pending(store_id: int) -> list[OfferModel]:
    return await OfferModel.filter(store_id=store_id, status=OfferStatus.PENDING).order_by("id")


async def _order_of(offer: OfferModel) -> OrderModel:
    return await OrderModel.get(id=offer.order_id)


def offer_event(
    actor: Principal, kind: OfferEventKind, offer: OfferModel, order: OrderModel
) -> OrderOfferEvent:
    """The event as ``actor`` may see it. An offer that ended with the order moving on (a
    decline, an expiry) is the store's own to be told of, but the order is no longer theirs:
    it is shown as it was offered to them, not where it went next."""
    shown = (
        Order.of(order) if order_visible(actor, order) else Order.as_offered(order, offer.store_id)
    )
    return OrderOfferEvent(kind=kind, offer=OrderOffer.of(offer), order=shown)


def _event_of(
    info: Info, kind: OfferEventKind, offer: OfferModel, order: OrderModel
) -> OrderOfferEvent:
    info.context.loaders = Loaders()  # each event reads fresh rows
    actor = info.context.principal
    assert actor is not None  # offers_store required one
    return offer_event(actor, kind, offer, order)


async def _offer_of(message: dict[str, Any], store: int) -> tuple[OfferModel, OrderModel] | None:
    """The offer (of ``store``) and its order that a message is about, or None.

    Our publishers send the rows as committed, and the channel is the store's own (on the
    deployment's Redis database): using them costs no query. A message without them is
    checked against the database, so a stray one never shows another store's offer.
    """
    rows = message.get("rows")
    if isinstance(rows, dict):
        offer = model_of(OfferModel, rows["offer"])
        order = model_of(OrderModel, rows["order"])
        if offer.store_id != store or offer.order_id != order.id:
            return None
        return offer, order
    found = await OfferModel.get_or_none(id=message.get("offer", 0), store_id=store)
    if found is None:
        return None
    return found, await OrderModel.get(id=found.order_id)


OfferEvent = tuple[OfferEventKind, OfferModel, OrderModel]


async def offer_events(bus: EventBus, store: int) -> AsyncGenerator[OfferEvent, None]:
    """A store's offers as rows: the pending ones replayed, then each OFFERED and WITHDRAWN."""
    async with bus.subscribe(keys.store_events(store)) as events:
        shown: set[int] = set()
        for offer in await _pending(store):  # subscribed first: nothing slips between
            shown.add(offer.id)
            yield OfferEventKind.OFFERED, offer, await _order_of(offer)
        async for message in events:
            if message.get("resync"):
                async for event in _resync(store, shown):
                    yield event
                continue
            found = await _offer_of(message, store)
            if found is None:
                continue
            offer, order = found
            if message.get("kind") == OfferEventKind.OFFERED.value:
                if offer.id in shown or offer.status is not OfferStatus.PENDING:
                    continue
                shown.add(offer.id)
                yield OfferEventKind.OFFERED, offer, order
            elif offer.id in shown:
                shown.discard(offer.id)
                yield OfferEventKind.WITHDRAWN, offer, order


async def offers_store(context: Context, store_id: strawberry.ID | None) -> int:
    """The store whose offers the caller may follow, or a ``PublicError``.

    The field declares the same permission; the store apps' fast path (``offer_stream``) runs
    no resolver, so the check is repeated here for it.
    """
    actor = context.require(*IsStaffOrAdmin.roles)
    return await _store_of(actor, store_id)


@strawberry.type
class OrdersSubscription:
    @strawberry.subscription(
        permission_classes=[IsStaffOrAdmin],
        description="Offers for a store: staff get their own store (storeId may be omitted), "
        "admins any. Pending offers are replayed first, so a reconnecting app misses none.",
    )
    async def order_offers(
        self, info: Info, store_id: strawberry.ID | None = None
    ) -> AsyncGenerator[OrderOfferEvent, None]:
        store = await offers_store(info.context, store_id)
        async with aclosing(offer_events(info.context.services.bus, store)) as events:
            async for kind, offer, order in events:
                yield _event_of(info, kind, offer, order)

    @strawberry.subscription(
        permission_classes=[IsAdmin],
        description="Admin: each order as it becomes UNASSIGNED (no store is left to try).",
    )
    async def orders_unassigned(self, info: Info) -> AsyncGenerator[Order, None]:
        async with info.context.services.bus.subscribe(keys.UNASSIGNED_EVENTS) as events:
            async for message in events:
                order = await OrderModel.get_or_none(id=message.get("order", 0))
                if order is not None and order.status is OrderStatus.UNASSIGNED:
                    info.context.loaders = Loaders()
                    yield Order.of(order)

    @strawberry.subscription(
        permission_classes=[IsSignedIn],
        description="The order now, then again after every change, while the caller may see "
        "it (as `order(id)` does): a store whose offer ended with the order moving on is told "
        "NOT_FOUND and the stream ends.",
    )
    async def order_updated(self, info: Info, id: strawberry.ID) -> AsyncGenerator[Order, None]:
        actor = info.context.actor
        pk = _decode(id, "Order", "id")
        async with info.context.services.bus.subscribe(keys.order_events(pk)) as events:
            order = await visible_orders(actor).get_or_none(id=pk)
            if order is None:
                raise not_found("No order has this id.")
            yield Order.of(order)
            while order.status not in FINAL:
                await anext(aiter(events))
                info.context.loaders = Loaders()
                # Checked again at every event: the order may have left the caller's store.
                order = await visible_orders(actor).get_or_none(id=pk)
                if order is None:
                    raise not_found(NO_LONGER_VISIBLE)
                yield Order.of(order)


NO_LONGER_VISIBLE = "This order is no longer yours to see."


async def _resync(store: int, shown: set[int]) -> AsyncGenerator[OfferEvent, None]:
    """After lost messages: withdraw what ended meanwhile, offer what began."""
    current = {o.id: o for o in await _pending(store)}
    for gone in sorted(shown - current.keys()):
        offer = await OfferModel.get_or_none(id=gone)
        shown.discard(gone)
        if offer is not None:
            yield OfferEventKind.WITHDRAWN, offer, await _order_of(offer)
    for new in sorted(current.keys() - shown):
        shown.add(new)
        yield OfferEventKind.OFFERED, current[new], await _order_of(current[new])

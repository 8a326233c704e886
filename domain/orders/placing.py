"""Placing an order: validate and price the lines, write it, offer it to a store."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from tortoise.exceptions import IntegrityError

from domain import validation
from domain.enums import OfferStatus, OrderStatus
from domain.errors import NotFound
from domain.orders.dispatch import Dispatch, Effects
from domain.orders.models import Order, OrderOffer
from domain.orders.routing import Candidate, choose_store
from domain.orders.writing import write_order
from domain.people.models import Member
from domain.principal import Principal
from domain.sql import rows_by_id
from domain.stores.lines import Line, count_units, prices_for, total_of


@dataclass(frozen=True)
class Placed:
    order: Order
    # The order found no store: it waits UNASSIGNED for an admin or a store that opens.
    unassigned: bool
    # A repeated idempotency key: nothing new was written.
    repeated: bool = False


async def place_order(
    dispatch: Dispatch,
    actor: Principal,
    *,
    lines: list[Line],
    delivery_address: str,
    latitude: float,
    longitude: float,
    idempotency_key: str | None = None,
) -> Placed:
    address = validation.text(delivery_address, "deliveryAddress", max_length=255)
    validation.latitude(latitude, "deliveryLocation.latitude")
    validation.longitude(longitude, "deliveryLocation.longitude")
    key = _key(idempotency_key)
    if key and (first := await Order.get_or_none(member_id=actor.user_id, idempotency_key=key)):
        return Placed(first, first.status is OrderStatus.UNASSIGNED, repeated=True)
    quantities = count_units(lines, "An order")
    prices = await prices_for(quantities)
    store = await choose_store(
        dispatch.stores,
        latitude=latitude,
        longitude=longitude,
        home_store_id=await _home_store(actor.user_id),
        exclude=set(),
    )
    try:
        order, effects = await _write(
            dispatch, actor.user_id, store, prices, quantities, address, latitude, longitude, key
        )
    except IntegrityError:
        if key and (first := await Order.get_or_none(member_id=actor.user_id, idempotency_key=key)):
            return Placed(first, first.status is OrderStatus.UNASSIGNED, repeated=True)
        raise
    await effects.apply(dispatch)
    return Placed(order, store is None)


async def _home_store(member_id: int) -> int | None:
    rows = await rows_by_id(Member, ("home_store_id",), [member_id])
    if not rows:
        raise NotFound("No member has this id.", "member")
    return None if rows[0][0] is None else int(rows[0][0])


def _key(raw: str | None) -> str | None:
    if raw is None:
        return None
    return validation.text(raw, "idempotencyKey", max_length=100)


async def _write(
    dispatch: Dispatch,
    member_id: int,
    store: Candidate | None,
    prices: dict[int, Decimal],
    quantities: dict[int, int],
    address: str,
    latitude: float,
    longitude: float,
    key: str | None,
) -> tuple[Order, Effects]:
    effects = Effects()
    now = dispatch.now()
    total = total_of(((prices[p], q) for p, q in quantities.items()), "The order")
    order = Order(
        number=_number(now.strftime("%y%m%d")),
        member_id=member_id,
        store_id=store.id if store else None,
        status=OrderStatus.PENDING if store else OrderStatus.UNASSIGNED,
        total=total,
        delivery_address=address,
        delivery_latitude=latitude,
        delivery_longitude=longitude,
        idempotency_key=key,
    )
    offer = None
    if store is not None:
        expires = now + timedelta(seconds=dispatch.offer_timeout)
        offer = OrderOffer(
            store_id=store.id, status=OfferStatus.PENDING, offered_at=now, expires_at=expires
        )
    await write_order(order, [(p, q, prices[p]) for p, q in quantities.items()], offer)
    if offer is not None:
        effects.offered(offer, order)
    else:
        effects.unassigned(order.id)
    effects.order_changed(order.id)
    return order, effects


def _number(day: str) -> str:
    return f"O{day}{secrets.token_hex(4).upper()}"

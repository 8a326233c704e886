"""Placing an order: validate and price the lines, write it, offer it to a store."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from tortoise.exceptions import IntegrityError

from domain import validation
from domain.errors import Invalid, NotFound
from domain.models import Member, Order, OrderOffer, Product, Store
from domain.models.enums import OfferStatus, OrderStatus
from domain.orders.dispatch import Dispatch, Effects
from domain.orders.routing import choose_store
from domain.orders.writing import write_order
from domain.principal import Principal, Role

MAX_LINES = 50
MAX_QUANTITY = 999


@dataclass(frozen=True)
class LineRequest:
    product_id: int
    quantity: int


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
    lines: list[LineRequest],
    delivery_address: str,
    latitude: float,
    longitude: float,
    idempotency_key: str | None = None,
) -> Placed:
    actor.require(Role.MEMBER)
    address = validation.text(delivery_address, "deliveryAddress", max_length=255)
    validation.latitude(latitude, "deliveryLocation.latitude")
    validation.longitude(longitude, "deliveryLocation.longitude")
    key = _key(idempotency_key)
    if key and (first := await Order.get_or_none(member_id=actor.user_id, idempotency_key=key)):
        return Placed(first, first.status is OrderStatus.UNASSIGNED, repeated=True)
    quantities = _quantities(lines)
    products = await _products(quantities)
    member = await Member.get(id=actor.user_id)
    store = await choose_store(
        dispatch.stores,
        latitude=latitude,
        longitude=longitude,
        home_store_id=member.home_store_id,
        exclude=set(),
    )
    try:
        order, effects = await _write(
            dispatch, member, store, products, quantities, address, latitude, longitude, key
        )
    except IntegrityError:
        if key and (first := await Order.get_or_none(member_id=member.id, idempotency_key=key)):
            return Placed(first, first.status is OrderStatus.UNASSIGNED, repeated=True)
        raise
    await effects.apply(dispatch)
    return Placed(order, store is None)


def _key(raw: str | None) -> str | None:
    if raw is None:
        return None
    return validation.text(raw, "idempotencyKey", max_length=100)


def _quantities(lines: list[LineRequest]) -> dict[int, int]:
    if not lines:
        raise Invalid("An order needs at least one line.", "lines")
    if len(lines) > MAX_LINES:
        raise Invalid(f"An order has at most {MAX_LINES} lines.", "lines")
    quantities: dict[int, int] = {}
    for i, line in enumerate(lines):
        validation.whole(line.quantity, f"lines.{i}.quantity", minimum=1, maximum=MAX_QUANTITY)
        quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
    for i, line in enumerate(lines):
        if quantities[line.product_id] > MAX_QUANTITY:
            raise Invalid(f"At most {MAX_QUANTITY} of one product.", f"lines.{i}.quantity")
    return quantities


async def _products(quantities: dict[int, int]) -> dict[int, Product]:
    found = {p.id: p for p in await Product.filter(id__in=list(quantities), active=True)}
    for i, product_id in enumerate(quantities):
        if product_id not in found:
            raise NotFound("No product has this id.", f"lines.{i}.productId")
    return found


async def _write(
    dispatch: Dispatch,
    member: Member,
    store: Store | None,
    products: dict[int, Product],
    quantities: dict[int, int],
    address: str,
    latitude: float,
    longitude: float,
    key: str | None,
) -> tuple[Order, Effects]:
    effects = Effects()
    now = dispatch.now()
    total = sum((products[p].price * q for p, q in quantities.items()), Decimal("0.00"))
    order = Order(
        number=_number(now.strftime("%y%m%d")),
        member_id=member.id,
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
    await write_order(order, [(p, q, products[p].price) for p, q in quantities.items()], offer)
    if offer is not None:
        effects.offered(offer, order)
    else:
        effects.unassigned(order.id)
    effects.order_changed(order.id)
    return order, effects


def _number(day: str) -> str:
    return f"O{day}{secrets.token_hex(4).upper()}"

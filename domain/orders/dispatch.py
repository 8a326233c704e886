"""What order actions do outside the database, applied only after their transaction commits."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple, TypeVar

from tortoise.fields import DatetimeField, DecimalField, Field
from tortoise.models import Model

from domain import messagebus
from domain.events import (
    Event,
    OfferEnded,
    OfferMade,
    OrderChanged,
    OrderDelivered,
    OrderUnassigned,
)
from domain.orders.models import Order, OrderOffer
from realtime import keys
from realtime.bus import EventBus
from realtime.clock import Clock
from realtime.deadlines import DeadlineQueue
from realtime.geo import GeoIndex

log = logging.getLogger("o2o.orders")

OFFERED = "OFFERED"
WITHDRAWN = "WITHDRAWN"


@dataclass
class Dispatch:
    """The process's means to tell stores and customers, and to time offers."""

    bus: EventBus
    deadlines: DeadlineQueue
    stores: GeoIndex
    clock: Clock
    offer_timeout: float

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)


M = TypeVar("M", bound=Model)
_Convert = Callable[[Any], Any] | None


def row_of(model: Model) -> dict[str, Any]:
    """A model's columns as JSON values; ``model_of`` turns them back into the model."""
    row: dict[str, Any] = {}
    for attribute, name, dump, _ in _columns(type(model)):
        value = getattr(model, attribute)
        row[name] = value if value is None or dump is None else dump(value)
    return row


def model_of(model: type[M], row: dict[str, Any]) -> M:
    """The model ``row_of`` gave ``row`` for, as loaded from the database.

    Every offer event a store's app is sent is rebuilt here; tortoise's ``_init_from_db``
    converts each value again through its field (time zones, enum lookups), which cost several
    times what this does: the values are known to be our own JSON.
    """
    instance = model.__new__(model)
    _set = object.__setattr__
    for name, value in _loaded_state(model):
        _set(instance, name, value)
    _set(instance, "_await_when_save", {})
    for attribute, name, _, load in _columns(model):
        value = row[name]
        _set(instance, attribute, value if value is None or load is None else load(value))
    return instance


class _Column(NamedTuple):
    attribute: str
    name: str
    dump: _Convert  # to JSON (None: the value is JSON already)
    load: _Convert  # from JSON


_COLUMNS: dict[type[Model], tuple[_Column, ...]] = {}


def _columns(model: type[Model]) -> tuple[_Column, ...]:
    """Each column's attribute, name and conversions, worked out once per model (once tortoise
    has added the foreign-key columns, which it does when it starts)."""
    known = _COLUMNS.get(model)
    if known is not None:
        return known
    columns = tuple(
        _Column(name, column, *_converters(model._meta.fields_map[name]))
        for name, column in model._meta.fields_db_projection.items()
    )
    if model._meta._inited:
        _COLUMNS[model] = columns
    return columns


@functools.cache
def _loaded_state(model: type[Model]) -> tuple[tuple[str, Any], ...]:
    """What ``_init_from_db`` sets besides the columns (the fresh dict aside)."""
    generated = model._meta.db_pk_column not in model._meta.generated_db_fields
    return (("_partial", False), ("_saved_in_db", True), ("_custom_generated_pk", generated))


def _converters(field: Field[Any]) -> tuple[_Convert, _Convert]:
    if isinstance(field, DatetimeField):
        return datetime.isoformat, datetime.fromisoformat
    if isinstance(field, DecimalField):
        return str, Decimal
    enum_type = getattr(field, "enum_type", None)
    if isinstance(enum_type, type) and issubclass(enum_type, Enum):
        return _enum_value, enum_type
    return None, None


def _enum_value(value: Enum) -> Any:
    return value.value


@dataclass
class Effects:
    """Deadlines and events gathered during a transaction, sent once it has committed.

    Offer events carry the offer's and the order's rows as they stand after the commit (the
    models passed in, which the actions keep in step with their updates), so that a store's
    app is sent the event without reading the database again.
    """

    schedule: dict[str, float] = field(default_factory=dict)
    cancel: list[str] = field(default_factory=list)
    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rows: list[tuple[dict[str, Any], OrderOffer, Order]] = field(default_factory=list)
    # The same happenings as typed events, for the listeners of other areas (``messagebus``).
    events: list[Event] = field(default_factory=list)

    def offered(self, offer: OrderOffer, order: Order) -> None:
        self.schedule[keys.offer_deadline(offer.id)] = offer.expires_at.timestamp()
        self._offer_event(OFFERED, offer, order)
        self.events.append(OfferMade(offer.id, order.id, offer.store_id))

    def ended(self, offer: OrderOffer, order: Order) -> None:
        """An offer is no longer pending: its store's apps drop it."""
        self.cancel.append(keys.offer_deadline(offer.id))
        self._offer_event(WITHDRAWN, offer, order)
        self.events.append(OfferEnded(offer.id, order.id, offer.store_id))

    def _offer_event(self, kind: str, offer: OrderOffer, order: Order) -> None:
        message = {"kind": kind, "offer": offer.id, "order": order.id}
        self.messages.append((keys.store_events(offer.store_id), message))
        self.rows.append((message, offer, order))

    def order_changed(self, order_id: int) -> None:
        self.messages.append((keys.order_events(order_id), {"order": order_id}))
        self.events.append(OrderChanged(order_id))

    def unassigned(self, order_id: int) -> None:
        self.messages.append((keys.UNASSIGNED_EVENTS, {"order": order_id}))
        self.events.append(OrderUnassigned(order_id))

    def delivered(self, order: Order, at: datetime) -> None:
        assert order.store_id is not None  # a delivered order has its accepting store
        self.events.append(
            OrderDelivered(order.id, order.member_id, order.store_id, order.total, at)
        )

    async def apply(self, dispatch: Dispatch) -> None:
        """Send everything; a Redis failure is logged, not raised: the database already holds
        the truth, the worker's reconcile restores deadlines and subscribers replay on reconnect.
        """
        if not (self.schedule or self.cancel or self.messages):
            await messagebus.bus.publish(self.events)
            return  # e.g. a batch with no early claims: not even an empty pipeline
        done: dict[int, dict[str, Any]] = {}  # an order in two events is written once

        def row(model: Model) -> dict[str, Any]:
            if id(model) not in done:
                done[id(model)] = row_of(model)
            return done[id(model)]

        for message, offer, order in self.rows:  # serialised now: the rows as committed
            message["rows"] = {"offer": row(offer), "order": row(order)}
        try:
            async with dispatch.bus.pipeline() as pipe:  # one round trip for all of it, in order
                dispatch.deadlines.add_cancel(pipe, self.cancel)
                dispatch.deadlines.add_schedule(pipe, self.schedule)
                dispatch.bus.add_publish(pipe, self.messages)
                await pipe.execute()
            dispatch.bus.published(self.messages)
        except Exception:
            log.exception("could not send order effects; the reconcile will restore deadlines")
        # The wire above goes first: store apps are waiting; in-process listeners are not.
        await messagebus.bus.publish(self.events)

"""What happened, in the past tense: the events domain actions publish once they commit.

Other areas listen to these rather than being called by the code that caused them (the CRM
hears of a purchase from ``PurchaseRecorded``, not from the counter's code). Each event is
plain data: ids and times, never a model that could be read after it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every domain event."""


@dataclass(frozen=True, slots=True)
class OfferMade(Event):
    offer_id: int
    order_id: int
    store_id: int


@dataclass(frozen=True, slots=True)
class OfferEnded(Event):
    """Accepted, declined, expired or withdrawn: the offer's row says which."""

    offer_id: int
    order_id: int
    store_id: int


@dataclass(frozen=True, slots=True)
class OrderChanged(Event):
    order_id: int


@dataclass(frozen=True, slots=True)
class OrderUnassigned(Event):
    """No store is left to offer the order to."""

    order_id: int


@dataclass(frozen=True, slots=True)
class OrderDelivered(Event):
    order_id: int
    member_id: int
    store_id: int
    total: Decimal
    at: datetime


@dataclass(frozen=True, slots=True)
class PurchaseRecorded(Event):
    """A sale at a store's counter."""

    purchase_id: int
    member_id: int
    store_id: int
    staff_id: int | None
    total: Decimal
    at: datetime


@dataclass(frozen=True, slots=True)
class MemberRegistered(Event):
    member_id: int
    home_store_id: int | None
    registered_by_id: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DiversionAlertRaised(Event):
    """A counter's scan found a unit sold out of its territory, a second time, or unshipped."""

    alert_id: int
    kind: str
    distributor_id: int | None
    store_id: int
    purchase_id: int
    at: datetime

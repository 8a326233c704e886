"""What order actions do outside the database, applied only after their transaction commits."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from realtime import keys
from realtime.bus import EventBus
from realtime.clock import Clock
from realtime.deadlines import DeadlineQueue
from realtime.geo import GeoIndex

log = logging.getLogger("o2o.orders")

OFFERED = "OFFERED"
WITHDRAWN = "WITHDRAWN"


def deadline_key(offer_id: int) -> str:
    return f"offer:{offer_id}"


def offer_id_of(deadline: str) -> int | None:
    kind, _, value = deadline.partition(":")
    return int(value) if kind == "offer" and value.isdigit() else None


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


@dataclass
class Effects:
    """Deadlines and events gathered during a transaction, sent once it has committed."""

    schedule: dict[str, float] = field(default_factory=dict)
    cancel: list[str] = field(default_factory=list)
    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def offered(self, offer_id: int, order_id: int, store_id: int, expires_at: datetime) -> None:
        self.schedule[deadline_key(offer_id)] = expires_at.timestamp()
        self.messages.append(
            (keys.store_events(store_id), {"kind": OFFERED, "offer": offer_id, "order": order_id})
        )

    def ended(self, offer_id: int, order_id: int, store_id: int) -> None:
        """An offer is no longer pending: its store's apps drop it."""
        self.cancel.append(deadline_key(offer_id))
        self.messages.append(
            (keys.store_events(store_id), {"kind": WITHDRAWN, "offer": offer_id, "order": order_id})
        )

    def order_changed(self, order_id: int) -> None:
        self.messages.append((keys.order_events(order_id), {"order": order_id}))

    def unassigned(self, order_id: int) -> None:
        self.messages.append((keys.UNASSIGNED_EVENTS, {"order": order_id}))

    async def apply(self, dispatch: Dispatch) -> None:
        """Send everything; a Redis failure is logged, not raised: the database already holds
        the truth, the worker's reconcile restores deadlines and subscribers replay on reconnect.
        """
        try:
            for member in self.cancel:
                await dispatch.deadlines.cancel(member)
            for member, due in self.schedule.items():
                await dispatch.deadlines.schedule(member, due)
            for channel, message in self.messages:
                await dispatch.bus.publish(channel, message)
        except Exception:
            log.exception("could not send order effects; the reconcile will restore deadlines")

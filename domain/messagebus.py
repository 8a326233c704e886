"""The one publisher of domain events: handlers subscribe by event type; events go out after
the transaction that caused them has committed (cosmicpython's ``messagebus``).

A handler's failure is logged and does not undo what committed, nor stop the other handlers:
a listener (the CRM's tasks) is a consequence of a sale, never a condition of it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from domain.events import Event

log = logging.getLogger("o2o.events")

E = TypeVar("E", bound=Event)
Handler = Callable[[Any], Awaitable[None]]


class MessageBus:
    def __init__(self) -> None:
        self._handlers: defaultdict[type[Event], list[Handler]] = defaultdict(list)

    def subscribe(self, kind: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
        if handler not in self._handlers[kind]:
            self._handlers[kind].append(handler)

    def unsubscribe(self, kind: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
        if handler in self._handlers[kind]:
            self._handlers[kind].remove(handler)

    async def publish(self, events: Iterable[Event]) -> None:
        for event in events:
            for handler in self._handlers.get(type(event), ()):
                try:
                    await handler(event)
                except Exception:
                    log.exception("handler %s failed on %s", handler, event)


# The process's bus: the composition root subscribes the listeners when it starts.
bus = MessageBus()


async def publish(*events: Event) -> None:
    await bus.publish(events)

"""Events between processes: Redis pub/sub, fanned out locally from one connection per process.

Messages are addressed to channels (a store's, an order's), but travel together: whatever one
action publishes goes out as one Redis message on the deployment's one events channel, and every
process hands each message to the local subscribers of its channel. Re-routing a batch of
orders sends hundreds of events at once; one Redis message each cost the publisher and every
reader more CPU than the events themselves. The publishing process hands its own messages to
its subscribers as soon as Redis has taken them, and skips the copy Redis sends back: that
copy cost it a decoding and a turn of the event loop for nothing. When the Redis connection
drops, every local subscriber gets ``RESYNC`` after reconnecting, since messages sent meanwhile
are lost: it should reload what it shows from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

import orjson

from realtime import keys
from realtime.client import Pipeline, Redis, database_index
from realtime.inbox import Inbox

log = logging.getLogger("o2o.bus")

RESYNC: dict[str, Any] = {"resync": True}
QUEUE_LIMIT = 1000

Addressed = tuple[str, dict[str, Any]]  # (channel, message)
Listener = Callable[[dict[str, Any]], None]


class Subscription:
    """One local subscriber's messages, oldest first (an ``Inbox``: an idle store app holds one
    of these for hours)."""

    __slots__ = ("_bus", "_inbox", "channel")

    def __init__(self, bus: EventBus, channel: str) -> None:
        self.channel = channel
        self._bus = bus
        self._inbox: Inbox[dict[str, Any]] = Inbox()

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._messages()

    def empty(self) -> bool:
        return self._inbox.empty()

    async def get(self) -> dict[str, Any]:
        return await self._inbox.get()

    async def _messages(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self._inbox.get()

    def deliver(self, message: dict[str, Any]) -> None:
        if self._inbox.qsize() >= QUEUE_LIMIT:  # a stalled consumer: make it reload instead
            self._inbox.clear()
            message = RESYNC
        self._inbox.put_nowait(message)


class EventBus:
    def __init__(self, redis: Redis, *, reconnect_delay: float = 0.5) -> None:
        self._redis = redis
        self._reconnect_delay = reconnect_delay
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._channel = keys.scoped(keys.EVENTS, database_index(redis))
        self._sender = uuid.uuid4().hex  # this bus's mark on what it publishes

    async def start(self) -> None:
        """Start reading; returns once the pattern subscription is in place."""
        if self._reader is None:
            self._reader = asyncio.create_task(self._read())
        await self._ready.wait()

    async def close(self) -> None:
        if self._reader is not None:
            # Cancelled until it ends: on Python 3.11 a cancellation that lands just as a
            # message arrives can be lost inside the client's ``wait_for``, and the reader
            # would read on (a shutdown hung on it).
            while not self._reader.done():
                self._reader.cancel()
                await asyncio.wait([self._reader], timeout=0.1)
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._redis.publish(self._channel, self._envelope([(channel, message)]))
        self.published([(channel, message)])

    def add_publish(self, pipe: Pipeline, messages: Sequence[Addressed]) -> None:
        """Queue ``messages`` (in order, as one Redis message) on ``pipe``, to send them in one
        round trip with other commands; once it has run, call ``published`` with them."""
        if messages:
            pipe.publish(self._channel, self._envelope(messages))

    def published(self, messages: Sequence[Addressed]) -> None:
        """Hand messages Redis has taken to this process's subscribers (it skips its echo)."""
        for channel, message in messages:
            self._deliver(channel, message)

    def _envelope(self, messages: Sequence[Addressed]) -> str:
        """The sender's mark, a space, the events as JSON: a reader skips its own echo
        without decoding it."""
        events = [[channel, message] for channel, message in messages]
        return f"{self._sender} {orjson.dumps(events).decode()}"

    def pipeline(self) -> Pipeline:
        return self._redis.pipeline(transaction=False)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        """Messages on ``channel`` from the moment this returns, until the block exits."""
        subscription = Subscription(self, channel)
        self._subscribers[channel].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[channel]

    @contextlib.contextmanager
    def listen(self, channel: str, listener: Listener) -> Iterator[None]:
        """Call ``listener`` with each message on ``channel`` (and ``RESYNC``) as it arrives,
        until the block exits: for the process's own machinery, which must not wait behind a
        queue. It must return at once and not raise; it is not counted as a subscriber."""
        self._listeners[channel].append(listener)
        try:
            yield
        finally:
            listeners = self._listeners.get(channel)
            if listeners is not None:
                listeners.remove(listener)
                if not listeners:
                    del self._listeners[channel]

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    async def _read(self) -> None:
        first = True
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._channel)
                if not first:
                    self._broadcast_resync()
                first = False
                self._ready.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._dispatch(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("event bus lost Redis; reconnecting", exc_info=True)
                await asyncio.sleep(self._reconnect_delay)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _dispatch(self, data: str) -> None:
        sender, _, body = data.partition(" ")
        if sender == self._sender:
            return  # ours: delivered when it was published
        try:
            events = orjson.loads(body)
        except ValueError:
            events = None
        if not isinstance(events, list):
            log.warning("dropped a malformed batch of events")
            return
        for item in events:
            match item:
                case [str(channel), dict(message)]:
                    self._deliver(channel, message)
                case _:
                    log.warning("dropped a malformed event")

    def _deliver(self, channel: str, message: dict[str, Any]) -> None:
        for subscription in list(self._subscribers.get(channel, ())):
            subscription.deliver(message)
        for listener in list(self._listeners.get(channel, ())):
            _call(listener, message)

    def _broadcast_resync(self) -> None:
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.deliver(RESYNC)
        for listeners in list(self._listeners.values()):
            for listener in list(listeners):
                _call(listener, RESYNC)


def _call(listener: Listener, message: dict[str, Any]) -> None:
    try:
        listener(message)
    except Exception:  # one listener's fault must not stop the bus's reader
        log.exception("an event listener failed")

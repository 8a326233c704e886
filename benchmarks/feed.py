"""Store apps: one graphql-transport-ws socket per clerk, subscribed to ``orderOffers``.

Every event is stamped on arrival (``time.perf_counter`` for latencies, ``time.time`` to
compare with the server's ``expiresAt``). The handshake is the one ``tests/e2e/ws.py`` does.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")
# What the apps select. The default reads fields only, so the server projects each event
# (schema/offer_stream.py). The store app's own document (api/storeapp/offers.js) also selects
# the order's items, a resolver, which the server executes per event as GraphQL:
# BENCH_OFFERS_DOCUMENT=store-app measures with that one.
LEAN = "subscription { orderOffers { kind offer { id expiresAt } order { id } } }"
STORE_APP = (
    "subscription { orderOffers { kind offer { id status expiresAt offeredAt reason }"
    " order { id number total deliveryAddress deliveryLocation { latitude longitude }"
    " items { quantity unitPrice product { name } } } } }"
)
SUBSCRIBE = STORE_APP if os.environ.get("BENCH_OFFERS_DOCUMENT") == "store-app" else LEAN


@dataclass(frozen=True)
class OfferEvent:
    store: int  # the subscriber's store (grid index)
    kind: str  # OFFERED or WITHDRAWN
    offer: str
    order: str
    expires_at: str
    at: float  # perf_counter() on arrival
    wall: float  # time.time() on arrival


class OfferFeed:
    def __init__(self, url: str) -> None:
        self._url = url
        self._tasks: list[asyncio.Task[None]] = []
        self._conns: list[ClientConnection] = []
        self.errors: list[str] = []
        self.offered: dict[str, list[OfferEvent]] = defaultdict(list)  # by order id
        self.withdrawn: dict[str, list[OfferEvent]] = defaultdict(list)  # by order id
        self.offered_count = 0

    @property
    def connections(self) -> int:
        return len(self._conns)

    async def open(
        self, subscribers: Sequence[tuple[int, str]], *, concurrency: int = 32, limit: float = 300
    ) -> None:
        """Connect and subscribe every ``(store, token)``; returns when all have subscribed."""
        gate = asyncio.Semaphore(concurrency)
        loop = asyncio.get_running_loop()
        ready: list[asyncio.Future[None]] = []
        for store, token in subscribers:
            future: asyncio.Future[None] = loop.create_future()
            ready.append(future)
            self._tasks.append(asyncio.create_task(self._run(store, token, gate, future)))
        await asyncio.wait_for(asyncio.gather(*ready), limit)

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self._conns), return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._conns.clear()

    async def _run(
        self, store: int, token: str, gate: asyncio.Semaphore, ready: asyncio.Future[None]
    ) -> None:
        try:
            async with gate:
                conn = await connect(self._url, subprotocols=[PROTOCOL], open_timeout=60)
                self._conns.append(conn)
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                await conn.send(json.dumps(init))
                ack = json.loads(await asyncio.wait_for(conn.recv(), 60))
                if ack.get("type") != "connection_ack":
                    raise RuntimeError(f"no connection_ack: {ack}")
                subscribe = {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}
                await conn.send(json.dumps(subscribe))
            ready.set_result(None)
            async for raw in conn:
                at, wall = time.perf_counter(), time.time()
                await self._receive(conn, store, json.loads(raw), at, wall)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not ready.done():
                ready.set_exception(exc)
            else:
                self.errors.append(f"store {store}: socket ended: {exc!r}")

    async def _receive(
        self, conn: ClientConnection, store: int, message: dict[str, Any], at: float, wall: float
    ) -> None:
        kind = message.get("type")
        if kind == "ping":
            await conn.send(json.dumps({"type": "pong"}))
        elif kind == "next":
            payload = message.get("payload", {})
            if payload.get("errors"):
                self.errors.append(f"store {store}: {payload['errors']}")
                return
            data = payload["data"]["orderOffers"]
            event = OfferEvent(
                store=store,
                kind=data["kind"],
                offer=data["offer"]["id"],
                order=data["order"]["id"],
                expires_at=data["offer"]["expiresAt"],
                at=at,
                wall=wall,
            )
            if event.kind == "OFFERED":
                self.offered[event.order].append(event)
                self.offered_count += 1
            else:
                self.withdrawn[event.order].append(event)
        elif kind in {"error", "complete"}:
            self.errors.append(f"store {store}: subscription {kind}: {message}")


async def wait_until(check: Callable[[], bool], within: float, interval: float = 0.05) -> bool:
    """Poll ``check`` until it holds (True) or ``within`` seconds pass (False)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(interval)
    return True

"""2. Re-route lateness: 10,000 offers fall due within 10 s; each order must be OFFERED to its
next store. Lateness = (OFFERED arrives at the next store's app) - (the first offer's expiry).

Set-up: the orders and their first (pending) offers are written to the fresh database before
the server starts, exactly as ``orderPlace`` writes them: placing 10,000 orders through the API
would take minutes on this machine, far longer than the window. The server's start-up
reconcile queues their deadlines, and each store app replays its pending offers when it
subscribes. Then the deadlines are moved to ``now + 2 s + 10 s * k / n`` (the database's
``expires_at`` and the Redis deadline queue together, as the server keeps them) and the
deadline worker wakes. Re-offers get ``OFFER_TIMEOUT_SECONDS`` = 1 h, so nothing expires twice.

Checked against the database afterwards: every order has exactly two offers (the first
EXPIRED, the second PENDING at the expected store): none lost, none doubled.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import redis.asyncio as aioredis

from benchmarks import arq_reference, services, world
from benchmarks.client import global_id
from benchmarks.feed import OfferFeed, wait_until
from benchmarks.report import Report, progress
from benchmarks.session import open_session, server_health, spread
from benchmarks.stats import Summary, fmt
from realtime import keys
from realtime.deadlines import DeadlineQueue

LEAD_SECONDS = 2.0
REPLAY_TIMEOUT = 300.0
DELIVERY_GRACE = 5.0


@dataclass(frozen=True)
class Scale:
    stores: int
    offers: int
    window: float  # seconds over which the deadlines fall due
    cap: float  # seconds to wait for re-offers after the last deadline


FULL = Scale(stores=100, offers=10_000, window=10, cap=180)
QUICK = Scale(stores=10, offers=1_000, window=10, cap=60)


async def move_deadlines(
    dsn: str, pending: Sequence[world.PendingOrder], window: float
) -> dict[int, float]:
    """Make the offers fall due over the next ``window`` seconds (after ``LEAD_SECONDS``), in
    the database and in the deadline queue; wake the worker. Offer id -> due (epoch s)."""
    base = time.time() + LEAD_SECONDS
    n = len(pending)
    due = {p.offer_id: base + window * k / n for k, p in enumerate(pending)}
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(
            "UPDATE order_offer AS o SET expires_at = d.due"
            " FROM unnest($1::bigint[], $2::timestamptz[]) AS d(id, due) WHERE o.id = d.id",
            list(due),
            [datetime.fromtimestamp(at, UTC) for at in due.values()],
        )
    finally:
        await conn.close()
    client = aioredis.from_url(services.REDIS_URL)
    try:
        await client.zadd(
            keys.DEADLINES_DUE, {keys.offer_deadline(i): int(at * 1000) for i, at in due.items()}
        )
        await client.publish(DeadlineQueue(client).wake_channel, str(int(base * 1000)))
    finally:
        await client.aclose()
    return due


class Arrivals:
    """Whether every order's re-offer reached its next store. Polled while events arrive, so
    each poll looks only past the orders already seen re-offered (in the order they fall due):
    a full scan of 10,000 orders each time held up the apps' own event loop, and so the very
    arrival times being measured, by up to ~30 ms."""

    def __init__(self, feed: OfferFeed, wanted: dict[str, int]) -> None:
        self._feed = feed
        self._wanted = list(wanted.items())
        self._seen = 0

    def all(self) -> bool:
        while self._seen < len(self._wanted) and self._arrived(*self._wanted[self._seen]):
            self._seen += 1
        return self._seen == len(self._wanted)

    def _arrived(self, order: str, store: int) -> bool:
        return any(e.store == store for e in self._feed.offered.get(order, ()))


@dataclass
class Ledger:
    """What the database says once the wait is over."""

    rerouted: set[int]  # orders with a re-offer
    expired_alone: int  # first offer EXPIRED, yet no re-offer (the order went nowhere)
    more_offers: int  # orders with more than one re-offer
    backlog: int  # first offers still PENDING: not yet handled by the deadline worker
    wrong_store: int  # re-offered to another store than the expected neighbour
    server_lateness: list[float]  # ms: re-offer written - first offer's expiry


async def read_ledger(dsn: str, w: world.World, pending: Sequence[world.PendingOrder]) -> Ledger:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT f.order_id, f.status, f.expires_at, count(s.id) AS later,"
            " min(s.offered_at) AS reoffered, min(s.store_id) AS store"
            " FROM order_offer f LEFT JOIN order_offer s ON s.order_id = f.order_id AND s.id > f.id"
            " WHERE f.id <= $1 GROUP BY f.order_id, f.status, f.expires_at",
            len(pending),
        )
    finally:
        await conn.close()
    expected = {p.order_id: w.store_ids[p.neighbour] for p in pending}
    return Ledger(
        rerouted={r["order_id"] for r in rows if r["later"]},
        expired_alone=sum(1 for r in rows if r["status"] == "EXPIRED" and not r["later"]),
        more_offers=sum(1 for r in rows if r["later"] > 1),
        backlog=sum(1 for r in rows if r["status"] == "PENDING"),
        wrong_store=sum(1 for r in rows if r["later"] and r["store"] != expected[r["order_id"]]),
        server_lateness=[
            (r["reoffered"] - r["expires_at"]).total_seconds() * 1000 for r in rows if r["later"]
        ],
    )


@dataclass
class Outcome:
    lateness: list[float]  # ms, for the orders whose OFFERED reached the next store's app
    lost: int  # re-offered in the database, but the next store's app never heard of it
    doubled: int  # more than one OFFERED for an order at one store
    strays: int  # OFFERED at a store that is neither the first nor the next


def observe(
    feed: OfferFeed, pending: Sequence[world.PendingOrder], due: dict[int, float], ledger: Ledger
) -> Outcome:
    lateness: list[float] = []
    lost = doubled = strays = 0
    for p in pending:
        events = feed.offered.get(global_id("Order", p.order_id), [])
        at_next = [e for e in events if e.store == p.neighbour]
        strays += sum(1 for e in events if e.store not in (p.store, p.neighbour))
        if len(at_next) > 1 or sum(1 for e in events if e.store == p.store) > 1:
            doubled += 1
        if at_next:
            lateness.append((at_next[0].wall - due[p.offer_id]) * 1000)
        elif p.order_id in ledger.rerouted:
            lost += 1
    return Outcome(lateness, lost, doubled, strays)


def add_rows(report: Report, scale: Scale, outcome: Outcome, ledger: Ledger) -> None:
    n = scale.offers
    # Orders still waiting at the cap count as later than the cap (right-censored).
    lat = Summary.of(outcome.lateness + [math.inf] * (n - len(outcome.lateness)))

    def late(value: float) -> str:
        return (
            f"> {scale.cap:g} s after the last deadline"
            if math.isinf(value)
            else f"{fmt(value)} ms"
        )

    report.add("re-route lateness p50", late(lat.p50))
    report.add("re-route lateness p99", late(lat.p99))
    report.add("re-route lateness max", late(lat.max))
    received = len(outcome.lateness)
    report.add("re-offered to the next store", f"{received} of {n}", f"{n}", received == n)
    lost = outcome.lost + ledger.expired_alone
    report.add("offers lost", str(lost), "0", lost == 0)
    doubled = outcome.doubled + outcome.strays + ledger.more_offers
    report.add("offers doubled", str(doubled), "0", doubled == 0)
    if ledger.backlog:
        report.add(f"still queued {scale.cap:g} s after the last deadline", str(ledger.backlog))
    report.note(
        "server side (database): re-offer written - expiry "
        f"{Summary.of(ledger.server_lateness).ms()} over {len(ledger.server_lateness)} orders"
    )
    report.note(
        f"database: {len(ledger.rerouted)} orders re-offered, {ledger.more_offers} more than "
        f"once, {ledger.wrong_store} to an unexpected store, {ledger.expired_alone} expired "
        f"without a re-offer, {ledger.backlog} first offers still pending at the cap"
    )
    if outcome.lost:
        report.note(f"{outcome.lost} re-offers written but never delivered to the store app")
    if outcome.strays:
        report.note(
            f"{outcome.strays} OFFERED events for these orders at a third store (another o2o "
            "process publishing on the same Redis server?)"
        )


async def run(quick: bool) -> Report:
    scale = QUICK if quick else FULL
    report = Report(
        f"2. Re-route lateness: {scale.offers} offers due within {scale.window:g} s, "
        f"{scale.stores} subscribed stores"
    )
    pending: list[world.PendingOrder] = []

    async def orders(dsn: str, w: world.World) -> None:
        stores_of = [spread(k, w.grid.count) for k in range(scale.offers)]
        later = datetime.now(UTC) + timedelta(hours=1)
        pending.extend(await world.seed_pending_orders(dsn, w, stores_of, later))

    async with open_session(
        stores=scale.stores, members=200, more=orders, sign_in_members=False
    ) as session:
        feed = session.feed
        replayed = await wait_until(lambda: feed.offered_count >= len(pending), REPLAY_TIMEOUT)
        report.note(
            f"{feed.offered_count} of {len(pending)} pending offers replayed to the store apps "
            f"on subscribe{'' if replayed else ' (timed out)'}"
        )
        dsn = services.dsn(session.server.database_url)
        cpu_before = session.server.cpu_seconds()
        due = await move_deadlines(dsn, pending, scale.window)
        progress(f"{len(due)} deadlines now fall due within {scale.window:g} s")
        wanted = {global_id("Order", p.order_id): p.neighbour for p in pending}
        arrived = Arrivals(feed, wanted)
        last = max(due.values())
        await wait_until(arrived.all, last - time.time() + scale.cap, interval=0.25)
        server_cpu = session.server.cpu_seconds() - cpu_before
        ledger = await read_ledger(dsn, session.world, pending)
        written = {global_id("Order", i) for i in ledger.rerouted}
        # Re-offers already written may still be on their way to the apps: a moment for them.
        await wait_until(
            lambda: all(
                any(e.store == wanted[o] for e in feed.offered.get(o, ())) for o in written
            ),
            DELIVERY_GRACE,
        )
        outcome = observe(feed, pending, due, ledger)  # lost: written before the grace
        final = await read_ledger(dsn, session.world, pending)
        progress(f"re-route lateness (received) {Summary.of(outcome.lateness).ms()}")
        add_rows(report, scale, outcome, final)
        if final.rerouted:
            report.note(
                f"server CPU per re-route {server_cpu * 1000 / len(final.rerouted):.2f} ms "
                "(expiry, routing, re-offer, both events to the apps)"
            )
        server_health(session, report)
    try:
        reference = await arq_reference.run(scale.offers, scale.window)
    except Exception as exc:  # the optional reference must not sink the benchmark
        report.note(f"arq reference: failed: {exc!r}"[:300])
        return report
    if reference is None:
        report.note(arq_reference.SKIPPED)
    else:
        report.add("arq reference: job start - due p50", f"{fmt(reference.p50)} ms")
        report.add("arq reference: job start - due p99", f"{fmt(reference.p99)} ms")
        report.add("arq reference: job start - due max", f"{fmt(reference.max)} ms")
    return report

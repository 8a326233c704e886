"""3. Capacity: 5,000 subscriptions held by one server process (quick: 500).

The open stores' apps (1,000; quick: 100) subscribe as in benchmark 1; the other 4,000 sockets
(quick: 400) are idle: the store apps of closed stores (``active = false``: never offered
anything), ten devices per closed store. Resident memory per connection = the server's VmRSS
after opening them all minus before (after a warm-up), divided by the count. Then offer
latency at a rate the server sustains with everything connected, and again after the idle
sockets have closed, for comparison.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from benchmarks import offer_latency
from benchmarks.feed import OfferFeed, wait_until
from benchmarks.report import Report, progress
from benchmarks.session import Session, open_session, server_health
from benchmarks.stats import fmt

TARGET_KIB = 30.0
DEVICES_PER_CLOSED_STORE = 10
SETTLE_SECONDS = 3.0


@dataclass(frozen=True)
class Scale:
    open_stores: int
    idle_sockets: int
    rate: float
    seconds: float
    members: int

    @property
    def closed_stores(self) -> int:
        return self.idle_sockets // DEVICES_PER_CLOSED_STORE

    @property
    def total(self) -> int:
        return self.open_stores + self.idle_sockets


FULL = Scale(open_stores=1000, idle_sockets=4000, rate=10, seconds=20, members=200)
QUICK = Scale(open_stores=100, idle_sockets=400, rate=10, seconds=5, members=50)


async def warm_up(session: Session) -> None:
    """One socket and a few orders through every code path, then closed again."""
    feed = OfferFeed(session.server.ws_url)
    await feed.open([(0, session.clerk_tokens[0])])
    placed = [await session.place_for(0, k) for k in range(5)]
    await wait_until(lambda: all(o in feed.offered for o in placed), 10)
    await feed.close()


async def settled_rss(session: Session) -> int:
    """VmRSS once the server has finished what the last step queued."""
    waited = await session.server.settle()
    progress(f"server settled after {fmt(waited)} s")
    await asyncio.sleep(SETTLE_SECONDS)
    return session.server.rss_kib()


async def run(quick: bool) -> Report:
    scale = QUICK if quick else FULL
    report = Report(
        f"3. Capacity: {scale.total} subscriptions ({scale.open_stores} open stores + "
        f"{scale.idle_sockets} idle) on one process"
    )
    async with open_session(
        stores=scale.open_stores,
        members=scale.members,
        idle_stores=scale.closed_stores,
        subscribe=0,
    ) as session:
        await warm_up(session)
        before = await settled_rss(session)
        idle = OfferFeed(session.server.ws_url)
        tokens = session.clerk_tokens
        closed = range(scale.open_stores, scale.open_stores + scale.closed_stores)
        await session.feed.open([(i, tokens[i]) for i in range(scale.open_stores)])
        await idle.open([(i, tokens[i]) for i in closed for _ in range(DEVICES_PER_CLOSED_STORE)])
        after = await settled_rss(session)
        count = session.feed.connections + idle.connections
        per = (after - before) / count
        progress(f"{count} sockets open: RSS {before} -> {after} KiB, {fmt(per)} KiB each")
        report.add(
            "RSS per connection", f"{fmt(per)} KiB", f"<= {TARGET_KIB:g} KiB", per <= TARGET_KIB
        )
        report.note(f"server VmRSS {before} KiB before, {after} KiB with {count} sockets open")

        loaded = await offer_latency.measure(session, scale.rate, scale.seconds, first=1000)
        progress(f"with {count} connected: offer latency {loaded.latency.ms()}")
        offer_latency.add_rows(report, loaded, label=f"{count} connected: ")

        if idle.errors:
            report.add("idle socket errors", str(len(idle.errors)), "0", False)
            report.note(f"idle socket: {idle.errors[0][:200]}")
        await idle.close()
        report.note(f"server VmRSS {await settled_rss(session)} KiB after the idle sockets closed")
        base = await offer_latency.measure(session, scale.rate, scale.seconds, first=100_000)
        progress(f"with {scale.open_stores} connected: offer latency {base.latency.ms()}")
        report.note(
            f"same load with only the {scale.open_stores} open stores' apps connected: "
            f"{base.latency.ms()}, lost {base.lost}"
        )
        server_health(session, report)
    report.note(f"load: {scale.rate:g} orders/s for {scale.seconds:g} s in each measurement")
    return report

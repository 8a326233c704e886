"""1. Offer latency: orderPlace sent -> OFFERED received by the store's subscriber.

1,000 stores, each with its clerk's store app subscribed to ``orderOffers``; members place
50 orders/s for 60 s (quick: 100 stores, 10 s), each delivered next to a known store (a fixed stride
through the grid). Latency is from just before the HTTP request to the OFFERED frame's
arrival on that store's socket. Lost: answered orders whose OFFERED had not arrived 10 s after
the last answer. A request unanswered after 30 s counts as a failure.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from benchmarks.feed import wait_until
from benchmarks.load import open_loop
from benchmarks.report import Report, progress
from benchmarks.session import Session, latencies_ms, open_session, server_health, spread
from benchmarks.stats import Summary, fmt

TARGET_P50_MS = 10.0
TARGET_P99_MS = 50.0
GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class Scale:
    stores: int
    members: int
    rate: float
    seconds: float


FULL = Scale(stores=1000, members=200, rate=50, seconds=60)
QUICK = Scale(stores=100, members=50, rate=50, seconds=10)


@dataclass
class Measured:
    latency: Summary
    placed: int
    lost: int
    wrong_store: int
    failed: list[str]
    max_lag_ms: float
    server_cpu_ms: float  # the server's CPU time per order placed
    client_cpu_ms: float  # this (load generator) process's CPU time per order placed


async def measure(session: Session, rate: float, seconds: float, first: int = 0) -> Measured:
    """Place orders at ``rate``/s for ``seconds`` (order numbers from ``first``) and time
    their offers."""
    stores = session.world.grid.count
    sent: dict[str, float] = {}
    expected: dict[str, int] = {}
    failed: list[str] = []

    async def fire(i: int) -> None:
        k = first + i
        store = spread(k, stores)
        t0 = time.perf_counter()
        try:
            order = await session.place_for(store, k)
        except Exception as exc:  # a timeout, a dropped connection, or an error answer
            failed.append(f"{type(exc).__name__}: {str(exc)[:120]}")
            return
        sent[order] = t0
        expected[order] = store

    server_cpu, client_cpu = session.server.cpu_seconds(), time.process_time()
    pacing = await open_loop(rate, seconds, fire)
    feed = session.feed
    await wait_until(lambda: all(o in feed.offered for o in sent), GRACE_SECONDS)
    orders = max(1, pacing.sent)
    server_cpu_ms = (session.server.cpu_seconds() - server_cpu) * 1000 / orders
    client_cpu_ms = (time.process_time() - client_cpu) * 1000 / orders
    values, lost = latencies_ms(sent, feed.offered)
    wrong = sum(
        1 for o, s in expected.items() if o in feed.offered and feed.offered[o][0].store != s
    )
    return Measured(
        Summary.of(values),
        len(sent),
        lost,
        wrong,
        failed,
        pacing.max_lag_ms,
        server_cpu_ms,
        client_cpu_ms,
    )


def add_rows(report: Report, m: Measured, label: str = "") -> None:
    lat = m.latency
    report.add(
        f"{label}offer latency p50",
        f"{fmt(lat.p50)} ms",
        f"<= {TARGET_P50_MS:g} ms",
        lat.p50 <= TARGET_P50_MS,
    )
    report.add(
        f"{label}offer latency p99",
        f"{fmt(lat.p99)} ms",
        f"<= {TARGET_P99_MS:g} ms",
        lat.p99 <= TARGET_P99_MS,
    )
    report.add(f"{label}offer latency max", f"{fmt(lat.max)} ms")
    report.add(f"{label}offers lost", f"{m.lost} of {m.placed}", "0", m.lost == 0)
    if m.wrong_store:
        report.add(f"{label}offered to an unexpected store", str(m.wrong_store), "0", False)
    if m.failed:
        report.add(f"{label}orderPlace failures", str(len(m.failed)), "0", False)
        kinds = Counter(m.failed).most_common()
        report.note(f"{label}failures: " + ", ".join(f"{n}x {kind}" for kind, n in kinds))
    report.note(f"{label}client send lag max {fmt(m.max_lag_ms)} ms (the generator kept pace)")
    report.note(
        f"{label}CPU per order: server {fmt(m.server_cpu_ms)} ms, "
        f"load generator and store apps {fmt(m.client_cpu_ms)} ms"
    )


async def run(quick: bool) -> Report:
    scale = QUICK if quick else FULL
    report = Report(
        f"1. Offer latency: {scale.stores} subscribed stores, {scale.rate:g} orders/s "
        f"for {scale.seconds:g} s"
    )
    async with open_session(stores=scale.stores, members=scale.members) as session:
        await session.warm_up()
        progress(f"placing {scale.rate:g} orders/s for {scale.seconds:g} s")
        measured = await measure(session, scale.rate, scale.seconds, first=1000)
        progress(f"offer latency {measured.latency.ms()}, lost {measured.lost}")
        add_rows(report, measured)
        server_health(session, report)
    return report

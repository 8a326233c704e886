"""4. Throughput: the highest sustained orderPlace rate whose p99 stays <= 100 ms.

The world of benchmark 1 (1,000 stores, each store app subscribed, 200 members). The offered
rate ramps through ``STEPS`` orders/s, each step an open loop for 10 s and at least 200 orders
(quick: 3 s, 30 orders), so that its p99 rests on enough samples; latency is orderPlace's HTTP
round trip from its scheduled start. A step misses when its p99 > 100 ms, a request fails or an
offer is lost; the ramp stops after two misses in a row (one GC pause can sink one step), and
the figure is the highest step that passed. Each step also reports how long its offers took to
reach the store apps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from benchmarks.feed import wait_until
from benchmarks.load import open_loop
from benchmarks.report import Report, progress
from benchmarks.session import Session, latencies_ms, open_session, server_health, spread
from benchmarks.stats import Summary

TARGET_P99_MS = 100.0
STEPS = (10, 25, 50, 100, 200, 400)
DRAIN_SECONDS = 10.0
MISSES_TO_STOP = 2


@dataclass(frozen=True)
class Scale:
    stores: int
    members: int
    seconds: float
    samples: int  # at least this many orders a step

    def duration(self, rate: float) -> float:
        return max(self.seconds, self.samples / rate)


FULL = Scale(stores=1000, members=200, seconds=10, samples=200)
QUICK = Scale(stores=100, members=50, seconds=3, samples=30)


@dataclass
class Step:
    rate: float
    place: Summary
    offer: Summary
    failed: int
    lost: int
    achieved: float  # answered orders per second over the step

    @property
    def ok(self) -> bool:
        return self.place.p99 <= TARGET_P99_MS and self.failed == 0 and self.lost == 0


async def step(session: Session, rate: float, seconds: float, first: int) -> Step:
    stores = session.world.grid.count
    took: list[float] = []
    sent: dict[str, float] = {}
    failed = 0
    start = time.perf_counter()

    async def fire(i: int) -> None:
        nonlocal failed
        k = first + i
        scheduled = start + 0.01 + i / rate
        try:
            order = await session.place_for(spread(k, stores), k)
        except Exception:
            failed += 1
            return
        took.append((time.perf_counter() - scheduled) * 1000)
        sent[order] = scheduled

    pacing = await open_loop(rate, seconds, fire)
    feed = session.feed
    await wait_until(lambda: all(o in feed.offered for o in sent), DRAIN_SECONDS)
    offer_ms, lost = latencies_ms(sent, feed.offered)
    return Step(
        rate=rate,
        place=Summary.of(took),
        offer=Summary.of(offer_ms),
        failed=failed,
        lost=lost,
        achieved=len(took) / pacing.elapsed,
    )


def describe(s: Step) -> str:
    return (
        f"{s.rate:>4g}/s: orderPlace {s.place.ms()}; offers {s.offer.ms()}; "
        f"{s.achieved:.1f}/s answered, {s.failed} failed, {s.lost} offers lost"
        f"{'' if s.ok else '  <- missed'}"
    )


async def run(quick: bool) -> Report:
    scale = QUICK if quick else FULL
    report = Report(
        f"4. Throughput: orderPlace ramp {'/'.join(str(r) for r in STEPS)} orders/s, "
        f">= {scale.seconds:g} s and {scale.samples} orders a step, "
        f"{scale.stores} subscribed stores"
    )
    best: Step | None = None
    misses = 0
    async with open_session(stores=scale.stores, members=scale.members) as session:
        await session.warm_up()
        for n, rate in enumerate(STEPS):
            result = await step(session, rate, scale.duration(rate), first=(n + 1) * 100_000)
            progress(describe(result))
            report.note(describe(result))
            misses = 0 if result.ok else misses + 1
            if result.ok:
                best = result
            if misses >= MISSES_TO_STOP:
                break
            await session.server.settle(limit=DRAIN_SECONDS)  # the backlog of a missed step
        if best is None:
            report.add("highest rate with p99 <= 100 ms", f"none (below {STEPS[0]}/s)")
        else:
            report.add("highest rate with p99 <= 100 ms", f"{best.rate:g} orders/s")
            report.add("orderPlace at that rate", best.place.ms())
        server_health(session, report)
    return report

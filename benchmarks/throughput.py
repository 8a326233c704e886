"""4. Throughput: the highest sustained orderPlace rate whose p99 stays <= 100 ms.

The world of benchmark 1 (1,000 stores, each store app subscribed, 200 members). The offered
rate ramps through ``STEPS`` orders/s, each step an open loop for 10 s (quick: 3 s); latency
is orderPlace's HTTP round trip from its scheduled start. The ramp stops at the first step
that misses (p99 > 100 ms, or any failure): the steps above it would only pile up a backlog.
Each step also reports how long its offers took to reach the store apps.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from benchmarks.feed import wait_until
from benchmarks.load import open_loop
from benchmarks.report import Report, progress
from benchmarks.session import Session, latencies_ms, open_session, server_health, spread
from benchmarks.stats import Summary

TARGET_P99_MS = 100.0
STEPS = (2, 5, 10, 25, 50, 100, 200, 400)
DRAIN_SECONDS = 10.0


@dataclass(frozen=True)
class Scale:
    stores: int
    members: int
    seconds: float


FULL = Scale(stores=1000, members=200, seconds=10)
QUICK = Scale(stores=100, members=50, seconds=3)


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
        f"{scale.seconds:g} s a step, {scale.stores} subscribed stores"
    )
    best: Step | None = None
    async with open_session(stores=scale.stores, members=scale.members) as session:
        await session.warm_up()
        for n, rate in enumerate(STEPS):
            result = await step(session, rate, scale.seconds, first=(n + 1) * 100_000)
            progress(describe(result))
            report.note(describe(result))
            if not result.ok:
                break
            best = result
            await asyncio.sleep(1.0)  # let the last offers settle before the next step
        if best is None:
            report.add("highest rate with p99 <= 100 ms", f"none (below {STEPS[0]}/s)")
        else:
            report.add("highest rate with p99 <= 100 ms", f"{best.rate:g} orders/s")
            report.add("orderPlace at that rate", best.place.ms())
        server_health(session, report)
    return report

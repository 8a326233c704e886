"""Load generators: open loop at a fixed rate, and closed loop at a fixed concurrency."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Fire = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Pacing:
    sent: int
    elapsed: float  # seconds from the first send to the last completion
    max_lag_ms: float  # worst delay of a send behind its schedule (the client keeping up)


async def open_loop(rate: float, duration: float, fire: Fire) -> Pacing:
    """Start ``fire(i)`` at ``rate`` per second for ``duration`` seconds, whatever the answers
    take (an open loop: a slow server does not slow the arrivals); wait for all of them.
    ``fire`` records its own outcome and must not raise."""
    count = max(1, round(rate * duration))
    tasks: list[asyncio.Task[None]] = []
    start = time.perf_counter() + 0.01
    max_lag = 0.0
    for i in range(count):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        max_lag = max(max_lag, time.perf_counter() - due)
        tasks.append(asyncio.create_task(fire(i)))
    await asyncio.gather(*tasks)
    return Pacing(sent=count, elapsed=time.perf_counter() - start, max_lag_ms=max_lag * 1000)


async def closed_loop(total: int, concurrency: int, fire: Fire) -> Pacing:
    """Run ``fire(0..total-1)`` with ``concurrency`` in flight at a time."""
    counter = iter(range(total))
    start = time.perf_counter()

    async def worker() -> None:
        for i in counter:
            await fire(i)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Pacing(sent=total, elapsed=time.perf_counter() - start, max_lag_ms=0.0)

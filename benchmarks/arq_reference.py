"""The reference for benchmark 2: arq's deferred jobs, the same count due within the same window.

arq is not a dependency of o2o: this runs only when ``arq`` is importable (``pip install arq``
into the environment). Jobs do nothing but note their start; lateness = start - due. The
worker runs in this process with arq's defaults (``poll_delay`` 0.5 s) except ``max_jobs``,
set to 200 like o2o's deadline worker's batch. Keys live in the benchmark's Redis database
under their own queue name and are flushed afterwards.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import time
from datetime import UTC, datetime
from typing import Any

from benchmarks import services
from benchmarks.report import progress
from benchmarks.stats import Summary

SKIPPED = "arq reference: skipped (pip install arq to compare)"
QUEUE = "o2o-bench:arq"
MAX_JOBS = 200
ENQUEUE_CONCURRENCY = 50


def available() -> bool:
    return importlib.util.find_spec("arq") is not None


async def run(jobs: int, window: float, cap: float = 120) -> Summary | None:
    """Lateness (ms) of ``jobs`` deferred jobs due evenly over ``window`` seconds; None without
    arq."""
    if not available():
        return None
    arq = importlib.import_module("arq")
    connections = importlib.import_module("arq.connections")
    worker_module = importlib.import_module("arq.worker")
    lateness: list[float] = []

    async def noted(ctx: dict[str, Any], due: float) -> None:
        lateness.append((time.time() - due) * 1000)

    await services.flush_redis()
    settings = connections.RedisSettings.from_dsn(services.REDIS_URL)
    pool = await arq.create_pool(settings, default_queue_name=QUEUE)
    try:
        lead = 2.0 + jobs / 2000  # enqueueing takes about 0.5 ms a job
        base = time.time() + lead
        gate = asyncio.Semaphore(ENQUEUE_CONCURRENCY)

        async def enqueue(k: int) -> None:
            due = base + window * k / jobs
            async with gate:
                await pool.enqueue_job(
                    "noted", due, _defer_until=datetime.fromtimestamp(due, UTC), _queue_name=QUEUE
                )

        await asyncio.gather(*(enqueue(k) for k in range(jobs)))
        if time.time() > base:
            progress("arq reference: enqueueing overran the first due time")
        worker = worker_module.Worker(
            functions=[worker_module.func(noted, name="noted")],
            redis_pool=pool,
            queue_name=QUEUE,
            max_jobs=MAX_JOBS,
            handle_signals=False,
            keep_result=0,
            burst=True,  # returns once the queue (deferred jobs included) is empty
        )
        try:
            await asyncio.wait_for(worker.async_run(), base + window - time.time() + cap)
        except TimeoutError:
            progress(f"arq reference: gave up {cap:g} s after the last due time")
    finally:
        await pool.aclose()
        await services.flush_redis()
    progress(f"arq reference: {len(lateness)} of {jobs} jobs ran")
    return Summary.of(lateness)

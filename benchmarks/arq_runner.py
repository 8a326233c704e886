"""arq's side of the benchmark 2 reference, run by the interpreter of ``.venv-arq``.

arq pins ``redis<6`` and o2o pins ``redis`` 8, so arq cannot share o2o's environment:
``make bench`` installs it into a venv of its own (``benchmarks/arq-requirements.txt``) and
``arq_reference`` runs this module there. It imports nothing but arq and the standard library;
it prints one JSON list: each job's lateness (start - due) in milliseconds.

    python -m benchmarks.arq_runner REDIS_URL JOBS WINDOW_SECONDS CAP_SECONDS
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from arq import create_pool  # type: ignore[import-not-found]
from arq.connections import RedisSettings  # type: ignore[import-not-found]
from arq.worker import Worker, func  # type: ignore[import-not-found]

QUEUE = "o2o-bench:arq"
MAX_JOBS = 200  # like o2o's deadline worker's batches
ENQUEUE_CONCURRENCY = 50


async def lateness(redis_url: str, jobs: int, window: float, cap: float) -> list[float]:
    late: list[float] = []

    async def noted(ctx: dict[str, Any], due: float) -> None:
        late.append((time.time() - due) * 1000)

    pool = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=QUEUE)
    try:
        base = time.time() + 2.0 + jobs / 2000  # enqueueing takes about 0.5 ms a job
        gate = asyncio.Semaphore(ENQUEUE_CONCURRENCY)

        async def enqueue(k: int) -> None:
            due = base + window * k / jobs
            async with gate:
                await pool.enqueue_job(
                    "noted", due, _defer_until=datetime.fromtimestamp(due, UTC), _queue_name=QUEUE
                )

        await asyncio.gather(*(enqueue(k) for k in range(jobs)))
        if time.time() > base:
            print("arq reference: enqueueing overran the first due time", file=sys.stderr)
        worker = Worker(
            functions=[func(noted, name="noted")],
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
            print(f"arq reference: gave up {cap:g} s after the last due time", file=sys.stderr)
    finally:
        await pool.aclose()
    return late


def main() -> None:
    redis_url, jobs, window, cap = sys.argv[1:5]
    late = asyncio.run(lateness(redis_url, int(jobs), float(window), float(cap)))
    print(json.dumps(late))


if __name__ == "__main__":
    main()

"""The reference for benchmark 2: arq's deferred jobs, the same count due within the same window.

arq cannot live in o2o's environment (it pins ``redis<6``), so ``make bench`` installs it into
``.venv-arq`` and ``arq_runner`` runs there, in a process of its own, with arq's defaults
(``poll_delay`` 0.5 s) except ``max_jobs``, set to 200 like o2o's deadline worker's batch.
Jobs do nothing but note their start; lateness = start - due. Keys live in the benchmark's
Redis database under their own queue name and are flushed before and after.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from benchmarks import services
from benchmarks.report import progress
from benchmarks.stats import Summary

ARQ_PYTHON = services.ROOT / ".venv-arq" / "bin" / "python"
SKIPPED = "arq reference: skipped (no .venv-arq: `make bench` installs it)"


def available(python: Path = ARQ_PYTHON) -> bool:
    return python.exists()


async def run(jobs: int, window: float, cap: float = 120) -> Summary | None:
    """Lateness (ms) of ``jobs`` deferred jobs due evenly over ``window`` seconds; None without
    the arq environment."""
    if not available():
        return None
    await services.flush_redis()
    try:
        proc = await asyncio.create_subprocess_exec(
            str(ARQ_PYTHON),
            "-m",
            "benchmarks.arq_runner",
            services.REDIS_URL,
            str(jobs),
            f"{window:g}",
            f"{cap:g}",
            cwd=services.ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await proc.communicate()
    finally:
        await services.flush_redis()
    if proc.returncode != 0:
        raise RuntimeError(f"arq runner exited with {proc.returncode}")
    lateness: list[float] = json.loads(out)
    progress(f"arq reference: {len(lateness)} of {jobs} jobs ran")
    return Summary.of(lateness)

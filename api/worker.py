"""The background worker: keeps Redis in step with the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from api.settings import Settings
from domain.db import close_database, open_database
from domain.stores import rebuild_store_index, store_index
from realtime.client import Redis, connect

log = logging.getLogger("o2o.worker")

RECONCILE_SECONDS = 60.0


async def reconcile_forever(redis: Redis, stop: asyncio.Event) -> None:
    """Rebuild what Redis holds from the database now and then: a flushed Redis heals itself."""
    while not stop.is_set():
        try:
            await rebuild_store_index(store_index(redis))
        except Exception:  # a passing outage: log it and try again next round
            log.exception("reconcile failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RECONCILE_SECONDS)


async def run_worker(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    db = await open_database(settings.database_url)
    redis = connect(settings.redis_url)
    log.info("worker started")
    try:
        await reconcile_forever(redis, stop)
    finally:
        await redis.aclose()
        await close_database(db)
    log.info("worker stopped")
    return 0

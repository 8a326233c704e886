"""The background worker: expires offers when their window closes, and keeps Redis in step
with the database (the store index and every pending deadline) so a flushed Redis heals."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from api.runtime import open_runtime
from api.settings import Settings
from domain.orders import Dispatch, expire_offers, reschedule_pending
from domain.stores.network import rebuild_store_index
from realtime import keys
from realtime.client import Redis
from realtime.deadlines import DeadlineWorker

log = logging.getLogger("o2o.worker")

RECONCILE_SECONDS = 60.0
# Offers expired together: larger batches cost less each, but the first waits for the last.
EXPIRY_BATCH = 100
# Batches expired at once: each mostly waits on PostgreSQL round trips and its commit, which
# the others overlap; a few keep the process busy, more only queue for its CPU and the pool.
EXPIRY_BATCHES_AT_ONCE = 3


async def handle_deadlines(dispatch: Dispatch, members: list[str]) -> None:
    """Expire the offers of many claimed deadlines together."""
    offer_ids = []
    for member in members:
        offer_id = keys.offer_of_deadline(member)
        if offer_id is None:
            log.warning("dropped an unknown deadline %r", member)
        else:
            offer_ids.append(offer_id)
    for start in range(0, len(offer_ids), EXPIRY_BATCH):
        await expire_offers(dispatch, offer_ids[start : start + EXPIRY_BATCH])


async def reconcile(dispatch: Dispatch) -> None:
    await rebuild_store_index(dispatch.stores)
    count = await reschedule_pending(dispatch)
    log.info("reconciled: %d pending offers scheduled", count)


async def reconcile_forever(
    dispatch: Dispatch, stop: asyncio.Event, interval: float = RECONCILE_SECONDS
) -> None:
    while not stop.is_set():
        try:
            await reconcile(dispatch)
        except Exception:  # a passing outage: log it and try again next round
            log.exception("reconcile failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


def deadline_worker(dispatch: Dispatch, redis: Redis) -> DeadlineWorker:
    return DeadlineWorker(
        dispatch.deadlines,
        redis,
        batch_handler=lambda members: handle_deadlines(dispatch, members),
        clock=dispatch.clock,
        batch=EXPIRY_BATCH,
        max_batches=EXPIRY_BATCHES_AT_ONCE,
    )


async def run_background(
    dispatch: Dispatch, redis: Redis, stop: asyncio.Event, reconcile_seconds: float
) -> None:
    """The worker's loops: deadlines, and the periodic reconcile."""
    await asyncio.gather(
        deadline_worker(dispatch, redis).run(stop),
        reconcile_forever(dispatch, stop, reconcile_seconds),
    )


async def run_worker(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_runtime(settings, listen=False) as runtime:
        log.info("worker started (offer window %ss)", settings.offer_timeout_seconds)
        await run_background(runtime.dispatch, runtime.redis, stop, settings.reconcile_seconds)
    log.info("worker stopped")
    return 0

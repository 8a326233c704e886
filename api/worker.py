"""The background worker: expires offers when their window closes, and keeps Redis in step
with the database (the store index and every pending deadline) so a flushed Redis heals."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from api.runtime import crm_generation, open_runtime
from api.settings import CrmSettings, Settings
from domain.crm import generation, outbox
from domain.orders import Dispatch, expire_offers, reschedule_pending
from domain.stores.network import rebuild_store_index
from realtime import keys
from realtime.client import Redis
from realtime.clock import Clock
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


# Days the morning run makes up after downtime (older ones are left: stale calls help no one).
CATCH_UP_DAYS = 7
# The morning loop looks again at least this often (seconds): a clock that jumps (a suspended
# machine) or a day made by hand is noticed without waiting for tomorrow.
CALLBACK_MAX_IDLE = 300.0


async def callbacks_forever(
    crm: CrmSettings, stop: asyncio.Event, clock: Clock, max_idle: float = CALLBACK_MAX_IDLE
) -> None:
    """Each morning at CALLBACK_HOUR (the brand's time zone) make the day's tasks, and the
    days missed while no worker ran. Any number of workers may run this: the database's
    ``callback_day`` row makes each day once."""
    rules = crm_generation(crm)
    zone = ZoneInfo(crm.brand_timezone)
    while not stop.is_set():
        now = datetime.fromtimestamp(clock.now(), UTC)
        delay = min(generation.seconds_to_next_run(now, zone, crm.callback_hour), max_idle)
        try:
            for made in await generation.generate_due(now, rules, crm.callback_hour, CATCH_UP_DAYS):
                if made.made:
                    log.info(
                        "call-back tasks for %s: %d tasks, %d closed, %d vouchers, %d messages",
                        made.day,
                        made.tasks,
                        made.closed,
                        made.vouchers,
                        made.messages,
                    )
        except Exception:  # the database away: try again shortly
            log.exception("making the call-back tasks failed")
            delay = min(delay, 60.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)


async def outbox_forever(crm: CrmSettings, stop: asyncio.Event) -> None:
    if crm.message_webhook_url is None:
        log.info("MESSAGE_WEBHOOK_URL is not set: messages stay QUEUED for an operator")
        return
    delivery = outbox.Delivery(crm.message_webhook_url, max_attempts=crm.message_max_attempts)
    await outbox.run_outbox(delivery, stop, lambda: datetime.now(UTC))


async def run_background(
    dispatch: Dispatch,
    redis: Redis,
    stop: asyncio.Event,
    reconcile_seconds: float,
    crm: CrmSettings | None = None,
) -> None:
    """The worker's loops: deadlines, the periodic reconcile and, given ``crm``, the morning
    call-back run and the outbox."""
    loops = [
        deadline_worker(dispatch, redis).run(stop),
        reconcile_forever(dispatch, stop, reconcile_seconds),
    ]
    if crm is not None:
        loops += [callbacks_forever(crm, stop, dispatch.clock), outbox_forever(crm, stop)]
    await asyncio.gather(*loops)


async def run_worker(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_runtime(settings, listen=False) as runtime:
        log.info("worker started (offer window %ss)", settings.offer_timeout_seconds)
        await run_background(
            runtime.dispatch, runtime.redis, stop, settings.reconcile_seconds, settings.crm
        )
    log.info("worker stopped")
    return 0

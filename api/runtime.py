"""What one process holds open: the database, Redis, the event bus and the order dispatch."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from tortoise.context import TortoiseContext

from api.settings import CrmSettings, Settings
from domain import messagebus
from domain.crm import callbacks, generation, listeners
from domain.db import DatabaseProbe, close_database, open_database
from domain.orders import Dispatch
from domain.stores.network import rebuild_store_index, store_index
from realtime.bus import EventBus
from realtime.client import Redis, connect, probe_client
from realtime.clock import Clock, SystemClock
from realtime.deadlines import DeadlineQueue

log = logging.getLogger("o2o.runtime")


# How long /healthz waits for the database and Redis to answer.
PROBE_TIMEOUT = 2.0


@dataclass
class Runtime:
    db: TortoiseContext
    redis: Redis
    bus: EventBus
    dispatch: Dispatch
    # The health check's own connections, apart from the pools requests queue for.
    db_probe: DatabaseProbe
    redis_probe: Redis


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings, *, listen: bool = True, clock: Clock | None = None
) -> AsyncIterator[Runtime]:
    """Open everything; ``listen`` starts the bus's reader (a worker only publishes)."""
    db = await open_database(settings.database_url)
    redis = connect(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        pool_timeout=settings.redis_pool_timeout_seconds,
    )
    bus = EventBus(redis)
    db_probe = DatabaseProbe(db, settings.database_url, wait=PROBE_TIMEOUT)
    redis_probe = probe_client(redis, settings.redis_url, PROBE_TIMEOUT)
    try:
        index = store_index(redis)
        count = await rebuild_store_index(index)
        log.info("store geo index rebuilt with %d stores", count)
        if listen:
            await bus.start()
        dispatch = Dispatch(
            bus=bus,
            deadlines=DeadlineQueue(redis, lease_seconds=settings.deadline_lease_seconds),
            stores=index,
            clock=clock or SystemClock(),
            offer_timeout=settings.offer_timeout_seconds,
        )
        crm = crm_generation(settings.crm)
        listeners.subscribe(messagebus.bus, crm)
        try:
            yield Runtime(
                db=db,
                redis=redis,
                bus=bus,
                dispatch=dispatch,
                db_probe=db_probe,
                redis_probe=redis_probe,
            )
        finally:
            listeners.unsubscribe(messagebus.bus, crm)
    finally:
        await bus.close()
        if redis_probe is not redis:
            await redis_probe.aclose()
        await redis.aclose()
        await db_probe.close()
        await close_database(db)


def crm_generation(crm: CrmSettings) -> generation.Settings:
    """The settings as plain values for the domain."""
    return generation.Settings(
        rules=callbacks.Config(
            first_purchase_call_days=crm.first_purchase_call_days,
            run_out_lead_days=crm.run_out_lead_days,
            lapsed_after_days=crm.lapsed_after_days,
            birthday_gift=crm.birthday_gift_sku is not None,
        ),
        timezone=crm.brand_timezone,
        gift_sku=crm.birthday_gift_sku,
    )

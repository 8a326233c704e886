"""Races and faults, proven on PostgreSQL + Redis with real worker processes."""

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from domain.enums import OfferStatus, OrderStatus
from domain.errors import DomainError
from domain.orders import Dispatch, accept_order
from domain.orders.models import Order, OrderOffer
from domain.stores.network import store_index
from realtime import keys
from realtime.bus import EventBus
from realtime.clock import SystemClock
from realtime.deadlines import DeadlineQueue
from tests import factories
from tests.e2e.server import poll
from tests.e2e.workers import Worker
from tests.orders_helpers import place, stores_east

OFFER_SECONDS = 4.0


@pytest.fixture
def services_only(backend):
    if not backend.is_postgres or backend.redis_url == "memory://":
        pytest.skip("races and faults are proven on PostgreSQL + Redis with several processes")
    return {
        "DATABASE_URL": backend.database_url,
        "REDIS_URL": backend.redis_url,
        "SECRET_KEY": "race-test-secret-key-long-enough!",
        "OFFER_TIMEOUT_SECONDS": str(OFFER_SECONDS),
        "DEADLINE_LEASE_SECONDS": "3",
    }


@pytest_asyncio.fixture
async def live(db, redis, services_only) -> AsyncIterator[Dispatch]:
    """Dispatch on the wall clock, as the worker processes run; the same offer window."""
    yield Dispatch(
        bus=EventBus(redis),
        deadlines=DeadlineQueue(redis),
        stores=store_index(redis),
        clock=SystemClock(),
        offer_timeout=OFFER_SECONDS,
    )


async def pending_count() -> int:
    return await OrderOffer.filter(status=OfferStatus.PENDING).count()


async def all_settled(timeout: float) -> None:
    async def settled() -> bool:
        return await pending_count() == 0

    await poll(settled, timeout=timeout, interval=0.1)


async def scheduled_members(redis) -> set[str]:
    due = await redis.zrange(keys.DEADLINES_DUE, 0, -1)
    inflight = await redis.zrange(keys.DEADLINES_INFLIGHT, 0, -1)
    return set(due) | set(inflight)


async def test_accepts_racing_their_deadlines_end_every_offer_exactly_once(
    live, redis, services_only
):
    first, _second = await stores_east(live, 1.0, 2.0)
    clerk = factories.as_staff(await factories.staff(first))
    product = await factories.product()
    members = [factories.as_member(await factories.member()) for _ in range(20)]
    orders = []
    for chunk in range(10):
        orders += await asyncio.gather(
            *(place(live, members[(chunk * 20 + i) % 20], product) for i in range(20))
        )
    pending = await OrderOffer.filter(status=OfferStatus.PENDING)
    missing = {f"offer:{o.id}" for o in pending} - await scheduled_members(redis)
    assert missing == set(), "a pending offer has no scheduled deadline"
    assert live.clock.now() < min(o.expires_at.timestamp() for o in pending), "placing was slow"
    workers = [Worker(services_only, f"race-{i}") for i in range(2)]
    try:
        rng = random.Random(7)
        results: dict[int, str] = {}

        async def accept(order: Order) -> None:
            try:
                await accept_order(live, clerk, order.id)
                results[order.id] = "ACCEPTED"
            except DomainError as exc:
                results[order.id] = exc.code.value

        async def accept_near_deadline(order: Order) -> None:
            offer = await OrderOffer.get(order_id=order.id, store_id=first.id)
            at = offer.expires_at.timestamp() + rng.uniform(-0.05, 0.05)
            await asyncio.sleep(max(0.0, at - live.clock.now()))
            await accept(order)

        async def accept_once_expired(order: Order) -> None:
            async def ended() -> bool:
                offer = await OrderOffer.get(order_id=order.id, store_id=first.id)
                return offer.status is not OfferStatus.PENDING

            await poll(ended, timeout=60, interval=0.1)
            await accept(order)

        # Whatever the machine's speed, both outcomes occur: a fifth are accepted at once (the
        # window is seconds long), a fifth only after the worker expired them; the rest race
        # their deadline, where either outcome is right and only the invariants below hold.
        early, late, racing = orders[:40], orders[40:80], orders[80:]
        await asyncio.gather(*(accept(p.order) for p in early))
        await asyncio.gather(
            *(accept_once_expired(p.order) for p in late),
            *(accept_near_deadline(p.order) for p in racing),
        )
        await all_settled(timeout=60)
    finally:
        for worker in workers:
            worker.stop()

    assert {results[p.order.id] for p in early} == {"ACCEPTED"}
    assert {results[p.order.id] for p in late} == {"OFFER_NOT_PENDING"}
    assert len(orders) == 200
    assert set(Counter(results.values())) <= {"ACCEPTED", "OFFER_NOT_PENDING"}
    for placed in orders:
        order = await Order.get(id=placed.order.id)
        offers = await OrderOffer.filter(order_id=order.id).order_by("id")
        statuses = [o.status for o in offers]
        assert statuses.count(OfferStatus.ACCEPTED) <= 1
        assert OfferStatus.PENDING not in statuses
        assert all(o.responded_at is not None for o in offers)
        if results[order.id] == "ACCEPTED":
            assert (order.status, statuses) == (OrderStatus.ACCEPTED, [OfferStatus.ACCEPTED])
        else:
            assert statuses == [OfferStatus.EXPIRED, OfferStatus.EXPIRED]
            assert order.status is OrderStatus.UNASSIGNED
    assert await live.deadlines.depth() == (0, 0)


# The lease of the kill test's workers: long enough for the survivor to start up within it.
KILL_LEASE_SECONDS = 6.0


async def in_flight(redis) -> dict[str, float]:
    """Claimed deadlines and their lease ends (epoch seconds)."""
    rows = await redis.zrange(keys.DEADLINES_INFLIGHT, 0, -1, withscores=True)
    return {member: score / 1000 for member, score in rows}


async def test_a_worker_killed_after_claiming_leaves_its_work_to_another_after_the_lease(
    live, redis, backend, services_only
):
    """The test holds an exclusive lock on the offers' table, so that a worker's expiry, which
    reads it first, waits: the victim is killed between its claim and its commit. The lock also
    holds up each worker's start-up reconcile (``reschedule_pending`` reads that table), which
    would otherwise put every pending offer back in the due set at once: the survivor can take
    the victim's claims only through their lease running out."""
    env = services_only | {"DEADLINE_LEASE_SECONDS": str(KILL_LEASE_SECONDS)}
    await stores_east(live, 1.0)
    product = await factories.product()
    member = factories.as_member(await factories.member())
    orders = [await place(live, member, product) for _ in range(20)]
    offers = await OrderOffer.filter(order_id__in=[p.order.id for p in orders])
    expected = {keys.offer_deadline(o.id) for o in offers}
    last_due = max(o.expires_at.timestamp() for o in offers)

    async def all_due() -> bool:  # then the victim claims them all in its first pass
        return live.clock.now() >= last_due

    async def victim_claimed_all() -> bool:
        return set(await in_flight(redis)) == expected and await live.deadlines.depth() == (0, 20)

    lock = await asyncpg.connect(backend.database_url)
    locked = lock.transaction()
    await locked.start()
    await lock.execute("LOCK TABLE order_offer IN ACCESS EXCLUSIVE MODE")
    victim: Worker | None = None
    survivor: Worker | None = None
    try:
        await poll(all_due, timeout=OFFER_SECONDS + 10)
        victim = Worker(env, "victim")
        await poll(victim_claimed_all, timeout=30)
        victim.kill()  # SIGKILL, between its claim and its commit
        leases = await in_flight(redis)
        assert set(leases) == expected, "the victim's claims did not stay in flight"
        lease_end = min(leases.values())
        survivor = Worker(env, "survivor")

        async def survivor_running() -> bool:
            return "worker started" in survivor.log.read_text()

        await poll(survivor_running, timeout=30)
        assert time.time() < lease_end, "the survivor started after the lease: nothing proven"

        async def survivor_claimed_all() -> dict[str, float] | None:
            now = await in_flight(redis)
            renewed = set(now) == expected and all(now[m] > leases[m] for m in expected)
            return now if renewed else None

        renewed = await poll(survivor_claimed_all, timeout=KILL_LEASE_SECONDS + 20)
        for deadline in expected:
            claimed_at = renewed[deadline] - KILL_LEASE_SECONDS
            assert claimed_at >= leases[deadline], f"{deadline} taken before its lease ran out"
        await locked.rollback()  # now the survivor's expiry (and its reconcile) may run

        async def queue_empty() -> bool:
            return await live.deadlines.depth() == (0, 0)

        await all_settled(timeout=30)
        await poll(queue_empty, timeout=30)
    finally:
        try:
            await lock.close()  # ends the transaction, and the lock with it, if still held
        finally:
            for worker in (survivor, victim):
                if worker is not None:
                    worker.stop()
    for placed in orders:
        order = await Order.get(id=placed.order.id)
        ended = await OrderOffer.filter(order_id=order.id)
        assert [o.status for o in ended] == [OfferStatus.EXPIRED]  # exactly once, no re-offer
        assert ended[0].responded_at is not None
        assert ended[0].responded_at.timestamp() >= lease_end  # by the survivor, after the lease
        assert order.status is OrderStatus.UNASSIGNED
    assert await live.deadlines.depth() == (0, 0)


async def test_a_flushed_redis_loses_no_deadline(live, redis, services_only):
    await stores_east(live, 1.0)
    product = await factories.product()
    member = factories.as_member(await factories.member())
    worker = Worker(services_only | {"RECONCILE_SECONDS": "1"}, "flush")
    try:
        orders = [await place(live, member, product) for _ in range(30)]
        await redis.flushdb()  # this test's Redis database: every deadline and the store index
        await all_settled(timeout=30)
    finally:
        worker.stop()
    for placed in orders:
        offer = await OrderOffer.get(order_id=placed.order.id)
        assert offer.status is OfferStatus.EXPIRED
        assert offer.responded_at is not None
        late = (offer.responded_at - offer.expires_at).total_seconds()
        assert late < 1.0 + 2.0, f"expired {late:.2f}s late (reconcile every 1 s)"

"""Races and faults, proven on PostgreSQL + Redis with real worker processes."""

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from domain.errors import DomainError
from domain.models import Order, OrderOffer
from domain.models.enums import OfferStatus, OrderStatus
from domain.orders import Dispatch, accept_order
from domain.stores import store_index
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

        async def accept_near_deadline(order: Order) -> None:
            offer = await OrderOffer.get(order_id=order.id, store_id=first.id)
            at = offer.expires_at.timestamp() + rng.uniform(-0.05, 0.05)
            await asyncio.sleep(max(0.0, at - live.clock.now()))
            try:
                await accept_order(live, clerk, order.id)
                results[order.id] = "ACCEPTED"
            except DomainError as exc:
                results[order.id] = exc.code.value

        await asyncio.gather(*(accept_near_deadline(p.order) for p in orders))
        await all_settled(timeout=60)
    finally:
        for worker in workers:
            worker.stop()

    assert len(orders) == 200
    outcomes = Counter(results.values())
    assert set(outcomes) <= {"ACCEPTED", "OFFER_NOT_PENDING"}
    assert outcomes["ACCEPTED"] > 0, outcomes
    assert outcomes["OFFER_NOT_PENDING"] > 0, outcomes
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


async def test_a_worker_that_dies_after_claiming_has_its_work_finished_by_another(
    live, redis, services_only
):
    await stores_east(live, 1.0)
    product = await factories.product()
    member = factories.as_member(await factories.member())
    orders = [await place(live, member, product) for _ in range(20)]
    # The crashed worker: claims everything due with a 1 s lease, then never finishes.
    dying = DeadlineQueue(redis, lease_seconds=1.0)

    async def claimed_all() -> bool:
        got = await dying.claim(live.clock.now(), limit=100)
        return len(got) > 0 and await live.deadlines.depth() == (0, 20)

    await poll(claimed_all, timeout=10)
    # A real worker killed with SIGKILL in the middle of its run, then one that survives.
    victim = Worker(services_only, "victim")

    async def victim_running() -> bool:
        return "worker started" in victim.log.read_text()

    await poll(victim_running, timeout=30)  # then it dies mid-run, as a crash would
    victim.kill()
    survivor = Worker(services_only, "survivor")

    async def queue_empty() -> bool:
        return await live.deadlines.depth() == (0, 0)

    try:
        await all_settled(timeout=30)
        # The victim may have died after its commit, before it removed its claims: the
        # survivor takes them once their lease runs out, and finds them done.
        await poll(queue_empty, timeout=30)
    finally:
        survivor.stop()
    for placed in orders:
        offers = await OrderOffer.filter(order_id=placed.order.id)
        assert [o.status for o in offers] == [OfferStatus.EXPIRED]
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

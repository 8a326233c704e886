"""The deadline queue's claims, leases and wake-ups."""

import asyncio

from realtime.clock import ManualClock
from realtime.deadlines import DeadlineQueue, DeadlineWorker
from tests.e2e.server import poll

T0 = 1_800_000_000.0


async def _listening(redis) -> bool:
    counts = await redis.pubsub_numsub(DeadlineQueue(redis).wake_channel)
    return bool(counts and counts[0][1] >= 1)


async def test_claim_takes_only_what_is_due(redis):
    queue = DeadlineQueue(redis, lease_seconds=10)
    await queue.schedule("a", T0 + 1)
    await queue.schedule("b", T0 + 2)
    assert await queue.claim(T0) == []
    assert await queue.claim(T0 + 1.5) == ["a"]
    assert await queue.depth() == (1, 1)
    assert await queue.next_due() == T0 + 2


async def test_an_unfinished_claim_is_claimed_again_after_its_lease(redis):
    queue = DeadlineQueue(redis, lease_seconds=10)
    await queue.schedule("a", T0)
    assert await queue.claim(T0) == ["a"]  # this worker then dies without calling done()
    assert await queue.claim(T0 + 5) == []  # still leased
    assert await queue.claim(T0 + 10.5) == ["a"]
    await queue.done("a")
    assert await queue.depth() == (0, 0)


async def test_cancel_removes_waiting_and_in_flight_entries(redis):
    queue = DeadlineQueue(redis)
    await queue.schedule("a", T0)
    await queue.schedule("b", T0)
    await queue.claim(T0, limit=1)
    await queue.cancel("a")
    await queue.cancel("b")
    assert await queue.depth() == (0, 0)


async def test_a_failing_handler_leaves_the_entry_for_a_retry(redis):
    clock = ManualClock(T0)
    queue = DeadlineQueue(redis, lease_seconds=10)
    calls: list[str] = []

    async def flaky(member: str) -> None:
        calls.append(member)
        if len(calls) == 1:
            raise RuntimeError("database away")

    worker = DeadlineWorker(queue, redis, flaky, clock=clock)
    await queue.schedule("a", T0)
    assert await worker.run_once() == 1
    assert await queue.depth() == (0, 1)
    clock.advance(11)
    assert await worker.run_once() == 1
    assert calls == ["a", "a"]
    assert await queue.depth() == (0, 0)


async def test_the_worker_wakes_for_an_earlier_deadline(redis):
    """It sleeps towards a far deadline, and a nearer one added later still fires on time."""
    queue = DeadlineQueue(redis)
    handled = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def handler(member: str) -> None:
        if member == "soon":
            handled.set()

    class WallClock:
        def now(self) -> float:
            return loop.time() + T0

    clock = WallClock()
    worker = DeadlineWorker(queue, redis, handler, clock=clock, max_idle=30)
    await queue.schedule("later", clock.now() + 25)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await poll(lambda: _listening(redis), timeout=5)  # asleep towards "later", ears open
        await queue.schedule("soon", clock.now() + 0.2)
        started = loop.time()
        await asyncio.wait_for(handled.wait(), 5)
        assert loop.time() - started < 2
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)

"""The deadline queue's claims, leases and wake-ups."""

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from realtime import keys
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


async def test_a_claim_tells_when_anything_next_becomes_claimable(redis):
    queue = DeadlineQueue(redis, lease_seconds=10)
    assert await queue.claim_and_peek(T0) == ([], None)
    await queue.schedule("a", T0 + 1)
    await queue.schedule("b", T0 + 20)
    assert await queue.claim_and_peek(T0) == ([], T0 + 1)
    assert await queue.claim_and_peek(T0 + 1) == (["a"], T0 + 11)  # a's lease ends before b
    await queue.done("a")
    assert await queue.claim_and_peek(T0 + 2) == ([], T0 + 20)
    assert await queue.claim_and_peek(T0 + 20) == (["b"], T0 + 30)
    assert await queue.next_due() == T0 + 30


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


async def _in_flight(redis) -> list[str]:
    return sorted(await redis.zrange(keys.DEADLINES_INFLIGHT, 0, -1))


@asynccontextmanager
async def _running(worker: DeadlineWorker) -> AsyncIterator[asyncio.Event]:
    """The worker's loop, stopped (and awaited) on the way out."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_the_next_batch_is_handled_while_one_is_still_running(redis):
    queue = DeadlineQueue(redis)
    release = asyncio.Event()
    started: list[list[str]] = []

    async def handler(members: list[str]) -> None:
        started.append(members)
        if len(started) == 1:
            await release.wait()

    worker = DeadlineWorker(queue, redis, batch_handler=handler, clock=ManualClock(T0), batch=2)
    await queue.schedule_many({"a": T0, "b": T0, "c": T0, "d": T0})
    async with _running(worker):
        # The second batch is done while the first one's handler still waits.
        await poll(lambda: _equals(_in_flight(redis), ["a", "b"]), timeout=5)
        assert started == [["a", "b"], ["c", "d"]]
        release.set()
        await poll(lambda: _equals(queue.depth(), (0, 0)), timeout=5)


async def test_a_failing_batch_beside_a_good_one_leaves_only_its_own_entries(redis):
    queue = DeadlineQueue(redis)
    both_running = asyncio.Barrier(2)
    finished: list[list[str]] = []

    async def handler(members: list[str]) -> None:
        await both_running.wait()  # neither ends before the other has started
        finished.append(members)
        if "bad1" in members:
            raise RuntimeError("database away")

    clock = ManualClock(T0 + 1)
    worker = DeadlineWorker(queue, redis, batch_handler=handler, clock=clock, batch=2)
    await queue.schedule_many({"bad1": T0, "bad2": T0, "good1": T0 + 0.5, "good2": T0 + 0.5})
    async with _running(worker):
        await poll(lambda: _equals(queue.depth(), (0, 2)), timeout=5)
        assert sorted(finished) == [["bad1", "bad2"], ["good1", "good2"]]
        assert await _in_flight(redis) == ["bad1", "bad2"]  # until their lease runs out


async def test_no_more_than_max_batches_run_at_once(redis):
    queue = DeadlineQueue(redis)
    release = asyncio.Event()
    running, peak = 0, 0

    async def handler(members: list[str]) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await release.wait()
        running -= 1

    worker = DeadlineWorker(
        queue, redis, batch_handler=handler, clock=ManualClock(T0), batch=1, max_batches=2
    )
    await queue.schedule_many({"a": T0, "b": T0, "c": T0})
    async with _running(worker):
        await poll(lambda: _equals(queue.depth(), (1, 2)), timeout=5)
        assert running == 2  # "c" is not even claimed while two batches run
        release.set()
        await poll(lambda: _equals(queue.depth(), (0, 0)), timeout=5)
    assert peak == 2


async def test_stopping_awaits_running_batches_and_ends_stuck_ones(redis):
    queue = DeadlineQueue(redis)
    release = asyncio.Event()
    started: list[str] = []
    finished: list[str] = []
    cancelled: list[str] = []

    async def handler(members: list[str]) -> None:
        started.extend(members)
        try:
            await (release.wait() if members == ["a"] else asyncio.Event().wait())
        except asyncio.CancelledError:
            cancelled.extend(members)
            raise
        finished.extend(members)

    clock = ManualClock(T0)
    worker = DeadlineWorker(
        queue, redis, batch_handler=handler, clock=clock, batch=1, handler_timeout=0.5
    )
    await queue.schedule_many({"a": T0, "b": T0})
    async with _running(worker):
        await poll(lambda: _equals(_started(started), ["a", "b"]), timeout=5)
        release.set()
    # ``run`` returned only after "b" was cut off at its timeout, not as soon as it was stopped.
    assert (finished, cancelled) == (["a"], ["b"])
    assert await _in_flight(redis) == ["b"]


async def _equals(value: Awaitable[object], expected: object) -> bool:
    return await value == expected


async def _started(started: list[str]) -> list[str]:
    return sorted(started)

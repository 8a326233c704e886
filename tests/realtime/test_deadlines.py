"""The deadline queue's claims, leases and wake-ups."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
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
    async with redis.pipeline(transaction=False) as pipe:  # as order effects cancel them
        queue.add_cancel(pipe, ["a", "b"])
        await pipe.execute()
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


class WallClock:
    """The event loop's time, shifted to ``T0``: it moves on its own, as the system clock."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()

    def now(self) -> float:
        return self._loop.time() + T0


async def test_the_worker_wakes_for_an_earlier_deadline_and_does_not_poll(redis):
    """Asleep towards a deadline half an hour away (and idle for up to an hour), it is woken
    by a nearer one as soon as that is announced; but it does not poll meanwhile: an entry
    that falls due without an announcement waits for the next deadline the worker knows of."""
    queue = DeadlineQueue(redis)
    clock = WallClock()
    handled: dict[str, float] = {}
    arrived = {member: asyncio.Event() for member in ("now", "soon", "quiet")}

    async def handler(member: str) -> None:
        handled[member] = clock.now()
        arrived[member].set()

    worker = DeadlineWorker(queue, redis, handler, clock=clock, max_idle=3600)
    await queue.schedule("later", clock.now() + 1800)
    async with _running(worker):
        await poll(lambda: _listening(redis), timeout=5)  # asleep towards "later", ears open
        soon = clock.now() + 3
        await queue.schedule_many({"now": clock.now(), "soon": soon})
        # Without the wake-up it would sleep for half an hour; 10 s is plenty on a busy box.
        await asyncio.wait_for(arrived["now"].wait(), 10)
        # "now"'s handler runs once the loop has gone back to sleep, towards "soon". An entry
        # due at once but not announced (no publish) must wait until then.
        await redis.zadd(keys.DEADLINES_DUE, {"quiet": int(clock.now() * 1000)})
        assert clock.now() < soon, "too slow to add the quiet entry before 'soon' fell due"
        await asyncio.wait_for(arrived["soon"].wait(), 15)
        await asyncio.wait_for(arrived["quiet"].wait(), 5)
    assert handled["quiet"] >= soon, "an unannounced entry was claimed early: the worker polls"
    assert handled["soon"] >= soon
    assert "later" not in handled
    assert await queue.depth() == (1, 0)  # "later" waits on


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


def _hanging(claimed: list[list[str]]) -> Callable[[list[str]], Awaitable[None]]:
    """A batch handler that notes what it was given and never returns."""

    async def hangs(members: list[str]) -> None:
        claimed.append(members)
        await asyncio.Event().wait()

    return hangs


async def _dies_after_claiming(worker: DeadlineWorker, claimed: list[list[str]]) -> None:
    """Run ``worker`` (whose handler never returns) until it has claimed, then cancel it, as
    a crash would end it: nothing after the claim runs, ``done()`` least of all."""
    run = asyncio.create_task(worker.run_once())
    try:
        await poll(lambda: _equals(_started([m for batch in claimed for m in batch]), ["a", "b"]))
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run


async def test_a_dead_workers_claims_go_to_another_only_once_their_lease_runs_out(redis):
    clock = ManualClock(T0)
    claimed: list[list[str]] = []
    hangs = _hanging(claimed)

    dying = DeadlineWorker(
        DeadlineQueue(redis, lease_seconds=10), redis, batch_handler=hangs, clock=clock
    )
    await DeadlineQueue(redis).schedule_many({"a": T0, "b": T0})
    await _dies_after_claiming(dying, claimed)
    assert await _in_flight(redis) == ["a", "b"]
    assert await redis.zscore(keys.DEADLINES_INFLIGHT, "a") == (T0 + 10) * 1000

    handled: list[str] = []

    async def finishes(members: list[str]) -> None:
        handled.extend(members)

    # Another worker (its own queue object, as in another process); no reconcile anywhere.
    survivor = DeadlineWorker(
        DeadlineQueue(redis, lease_seconds=10), redis, batch_handler=finishes, clock=clock
    )
    for at in (T0, T0 + 5, T0 + 9.99):
        clock.advance(at - clock.now())
        assert await survivor.run_once() == 0, f"taken at {at - T0} s, before the lease ran out"
    assert await _in_flight(redis) == ["a", "b"]
    clock.advance(T0 + 10 - clock.now())
    assert await survivor.run_once() == 2
    assert sorted(handled) == ["a", "b"]
    assert await DeadlineQueue(redis).depth() == (0, 0)


async def test_a_sleeping_worker_wakes_when_a_dead_workers_lease_runs_out(redis):
    """Nothing is announced when a lease ends: the worker's own wake-up time accounts for it."""
    clock = WallClock()
    claimed: list[list[str]] = []
    hangs = _hanging(claimed)

    queue = DeadlineQueue(redis, lease_seconds=1.5)
    await queue.schedule_many({"a": clock.now(), "b": clock.now()})
    await _dies_after_claiming(
        DeadlineWorker(queue, redis, batch_handler=hangs, clock=clock), claimed
    )
    lease_ends = {
        m: s / 1000 for m, s in await redis.zrange(keys.DEADLINES_INFLIGHT, 0, -1, withscores=True)
    }
    assert set(lease_ends) == {"a", "b"}
    handled: dict[str, float] = {}
    both = asyncio.Event()

    async def finishes(members: list[str]) -> None:
        handled.update(dict.fromkeys(members, clock.now()))
        if len(handled) == 2:
            both.set()

    survivor = DeadlineWorker(
        DeadlineQueue(redis, lease_seconds=1.5),
        redis,
        batch_handler=finishes,
        clock=clock,
        max_idle=600,
    )
    async with _running(survivor):
        # Idle, it would sleep ten minutes; the lease end wakes it within seconds.
        await asyncio.wait_for(both.wait(), 15)
    assert all(handled[m] >= lease_ends[m] for m in ("a", "b")), (handled, lease_ends)
    assert await queue.depth() == (0, 0)


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

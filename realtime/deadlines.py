"""A deadline queue on Redis: at-least-once, with leases, woken early by new deadlines.

Due entries sit in a sorted set scored by due time. One Lua script claims what is due into an
in-flight set scored by lease end; the handler's success removes the entry; a lease that runs
out (a worker died) makes the entry claimable again. Handlers must therefore be idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from realtime import keys
from realtime.client import Pipeline, Redis, database_index
from realtime.clock import Clock, SystemClock

log = logging.getLogger("o2o.deadlines")

CLAIM = """
local now = tonumber(ARGV[1])
local lease_until = now + tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local claimed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for _, member in ipairs(claimed) do
  redis.call('ZADD', KEYS[2], lease_until, member)
end
if #claimed < limit then
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit - #claimed)
  for _, member in ipairs(due) do
    redis.call('ZREM', KEYS[1], member)
    redis.call('ZADD', KEYS[2], lease_until, member)
    table.insert(claimed, member)
  end
end
-- When anything next becomes claimable (ms, as a string), so the worker need not ask again.
local due = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
local lease = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2]
local next_at = due or lease or false
if due and lease and tonumber(lease) < tonumber(due) then
  next_at = lease
end
return {claimed, next_at}
"""

Handler = Callable[[str], Awaitable[None]]
# Handles many entries at once; raising leaves them all in flight for a retry.
BatchHandler = Callable[[list[str]], Awaitable[None]]


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


class DeadlineQueue:
    def __init__(self, redis: Redis, *, lease_seconds: float = 30.0) -> None:
        self._redis = redis
        self._lease_ms = _ms(lease_seconds)
        self._claim = redis.register_script(CLAIM)
        self.wake_channel = keys.scoped(keys.DEADLINES_WAKE, database_index(redis))

    async def schedule(self, member: str, due: float) -> None:
        """Put ``member`` in the queue to fall due at ``due`` (epoch seconds); wake the workers."""
        await self.schedule_many({member: due})

    async def schedule_many(self, entries: dict[str, float]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            self.add_schedule(pipe, entries)
            await pipe.execute()

    def add_schedule(self, pipe: Pipeline, entries: dict[str, float]) -> None:
        """Queue ``schedule_many``'s commands on ``pipe`` (one round trip with others)."""
        if entries:
            pipe.zadd(keys.DEADLINES_DUE, {m: _ms(d) for m, d in entries.items()})
            # Workers compare the time with their own next wake-up and ignore later ones.
            pipe.publish(self.wake_channel, str(_ms(min(entries.values()))))

    def add_cancel(self, pipe: Pipeline, members: list[str]) -> None:
        if members:
            pipe.zrem(keys.DEADLINES_DUE, *members)
            pipe.zrem(keys.DEADLINES_INFLIGHT, *members)

    async def claim(self, now: float, limit: int = 100) -> list[str]:
        """Move what is due (and what lost its lease) in flight; the members claimed."""
        claimed, _ = await self.claim_and_peek(now, limit)
        return claimed

    async def claim_and_peek(self, now: float, limit: int = 100) -> tuple[list[str], float | None]:
        """``claim``, and then ``next_due`` in the same round trip."""
        claimed, next_at = await self._claim(
            keys=[keys.DEADLINES_DUE, keys.DEADLINES_INFLIGHT],
            args=[_ms(now), self._lease_ms, limit],
        )
        return [str(m) for m in claimed], None if next_at is None else float(next_at) / 1000

    async def done(self, *members: str) -> None:
        if members:
            await self._redis.zrem(keys.DEADLINES_INFLIGHT, *members)

    async def next_due(self) -> float | None:
        """The earliest time anything becomes claimable (epoch seconds), or None when empty."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zrange(keys.DEADLINES_DUE, 0, 0, withscores=True)
            pipe.zrange(keys.DEADLINES_INFLIGHT, 0, 0, withscores=True)
            due, inflight = await pipe.execute()
        scores = [score for _, score in due + inflight]
        return min(scores) / 1000 if scores else None

    async def depth(self) -> tuple[int, int]:
        """(entries waiting, entries in flight)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zcard(keys.DEADLINES_DUE)
            pipe.zcard(keys.DEADLINES_INFLIGHT)
            waiting, inflight = await pipe.execute()
        return int(waiting), int(inflight)


class DeadlineWorker:
    """Claims due entries and runs the handler on them; sleeps until the next deadline.

    Up to ``max_batches`` claimed batches are handled at once: a batch spends most of its time
    waiting on database round trips and commits, which the next batch's can overlap.
    """

    def __init__(
        self,
        queue: DeadlineQueue,
        redis: Redis,
        handler: Handler | None = None,
        *,
        batch_handler: BatchHandler | None = None,
        clock: Clock | None = None,
        batch: int = 200,
        max_batches: int = 3,
        concurrency: int = 8,
        max_idle: float = 30.0,
        handler_timeout: float = 20.0,
    ) -> None:
        if (handler is None) == (batch_handler is None):
            raise ValueError("give a handler or a batch_handler")
        if max_batches < 1:
            raise ValueError("max_batches must be at least 1")
        self._queue = queue
        self._redis = redis
        self._handler = handler
        self._batch_handler = batch_handler
        # More handlers at once than the database has connections only makes them queue.
        self._gate = asyncio.Semaphore(concurrency)
        self._clock = clock or SystemClock()
        self._batch = batch
        self._max_batches = max_batches
        self._batches: set[asyncio.Task[None]] = set()
        self._max_idle = max_idle
        self._handler_timeout = handler_timeout
        self._wake = asyncio.Event()
        # When the sleeping loop wakes anyway (epoch seconds); infinite while it works, so
        # that every deadline scheduled meanwhile wakes it.
        self._sleeping_until = math.inf

    async def run_once(self) -> int:
        """Handle everything due now; how many entries were claimed."""
        claimed = await self._queue.claim(self._clock.now(), self._batch)
        await self._handle_claimed(claimed)
        return len(claimed)

    async def _handle_claimed(self, claimed: list[str]) -> None:
        if claimed and self._batch_handler is not None:
            await self._handle_batch(self._batch_handler, claimed)
        elif claimed:
            await asyncio.gather(*(self._handle(member) for member in claimed))

    async def _handle_batch(self, handler: BatchHandler, members: list[str]) -> None:
        try:
            await asyncio.wait_for(handler(members), self._handler_timeout)
        except Exception:  # left in flight: the lease runs out and they are claimed again
            log.exception("%d deadlines failed; retried after their lease", len(members))
            return
        await self._queue.done(*members)

    async def _handle(self, member: str) -> None:
        assert self._handler is not None
        try:
            async with self._gate:
                # One stuck handler must not hold up the whole batch; the lease retries it.
                await asyncio.wait_for(self._handler(member), self._handler_timeout)
        except Exception:  # left in flight: the lease runs out and it is claimed again
            log.exception("deadline %s failed; it will be retried after its lease", member)
            return
        await self._queue.done(member)

    async def run(self, stop: asyncio.Event) -> None:
        listener = asyncio.create_task(self._listen(stop))
        try:
            while not stop.is_set():
                if len(self._batches) >= self._max_batches:
                    await _wait_any(stop, self._batches, None)  # until one of them ends
                elif (delay := await self._pass()) is not None:
                    await self._sleep(stop, delay)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            await self._finish_batches()

    async def _pass(self) -> float | None:
        """Claim one batch and start it; how long to sleep then, or None to claim again now."""
        self._wake.clear()  # before claiming: a deadline added meanwhile still wakes us
        self._sleeping_until = math.inf
        try:
            claimed, next_due = await self._queue.claim_and_peek(self._clock.now(), self._batch)
            if claimed:
                self._start(claimed)
            if len(claimed) >= self._batch:
                return None
            return self._delay(next_due)
        except Exception:  # Redis or the database away: try again shortly
            log.exception("deadline worker pass failed")
            return 1.0

    async def _sleep(self, stop: asyncio.Event, delay: float) -> None:
        """Until the next deadline, or one scheduled earlier meanwhile (``_listen``)."""
        self._sleeping_until = self._clock.now() + delay
        wake = asyncio.create_task(self._wake.wait())
        try:
            await _wait_any(stop, {wake}, delay)
        finally:
            wake.cancel()

    def _start(self, claimed: list[str]) -> None:
        task = asyncio.create_task(self._handle_claimed(claimed))
        self._batches.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._batches.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Only ``done()`` can raise here (Redis away): the entries' leases retry them.
            log.error("finishing a deadline batch failed", exc_info=task.exception())

    async def _finish_batches(self) -> None:
        """On stop: let the running batches end, and cancel what outlives its own timeout
        (a stuck ``done()``), so that nothing is left running after ``run`` returns."""
        if not self._batches:
            return
        running = set(self._batches)
        _, late = await asyncio.wait(running, timeout=self._handler_timeout)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def _delay(self, next_due: float | None) -> float:
        if next_due is None:
            return self._max_idle
        return min(max(next_due - self._clock.now(), 0.0), self._max_idle)

    def _earlier(self, data: str) -> bool:
        """Whether a deadline announced as ``data`` (ms) falls before the planned wake-up."""
        try:
            due = int(data) / 1000
        except ValueError:
            return True
        return due < self._sleeping_until

    async def _listen(self, stop: asyncio.Event) -> None:
        """Wake the loop whenever a deadline is scheduled anywhere (it may be earlier)."""
        while not stop.is_set():
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._queue.wake_channel)
                self._wake.set()  # something may have been scheduled while unsubscribed
                async for message in pubsub.listen():
                    if message.get("type") == "message" and self._earlier(message["data"]):
                        self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("deadline wake-up channel lost; reconnecting", exc_info=True)
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]


async def _wait_any(
    stop: asyncio.Event, tasks: Collection[asyncio.Task[Any]], seconds: float | None
) -> None:
    """Until ``stop`` is set, one of ``tasks`` ends or ``seconds`` pass; the tasks run on."""
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({stopped, *tasks}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()

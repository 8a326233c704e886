"""The trimmed WebSocket protocol's stand-ins for asyncio.Queue (realtime.inbox) and Event.

The protocol itself carries every socket of the end-to-end and browser tests. A waiter here
is parked once the task that started it has signalled: nothing runs between its signal and
its first suspension, so no test needs to yield the loop for a while.
"""

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

import pytest

from api.ws_protocol import _Gate
from realtime.inbox import Inbox

T = TypeVar("T")


async def parked(wait: Awaitable[T]) -> "asyncio.Task[T]":
    """A task awaiting ``wait``, returned once it is suspended in it."""
    started = asyncio.Event()

    async def run() -> T:
        started.set()
        return await wait

    task = asyncio.ensure_future(run())
    await started.wait()
    return task


async def test_the_inbox_hands_out_messages_in_order():
    inbox = Inbox[str]()
    assert inbox.empty()
    inbox.put_nowait("a")
    inbox.put_nowait("b")
    assert inbox.qsize() == 2
    assert await inbox.get() == "a"
    assert await inbox.get() == "b"
    assert inbox.empty()


async def test_a_reader_waits_for_the_next_message():
    inbox = Inbox[str]()
    reading = await parked(inbox.get())
    assert not reading.done()
    inbox.put_nowait("late")
    assert await asyncio.wait_for(reading, 1) == "late"


async def test_a_cancelled_reader_loses_nothing():
    inbox = Inbox[str]()
    reading = await parked(inbox.get())
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    inbox.put_nowait("kept")
    assert await asyncio.wait_for(inbox.get(), 1) == "kept"


def finishes_at_once(wait: Coroutine[Any, Any, Any]) -> bool:
    """Whether ``wait`` completes without suspending (an open gate lets a writer straight by)."""
    try:
        wait.send(None)
    except StopIteration:
        return True
    wait.close()
    return False


async def test_the_gate_holds_writers_while_shut():
    gate = _Gate()
    assert gate.is_set()
    assert finishes_at_once(gate.wait())
    gate.clear()
    assert not finishes_at_once(gate.wait())
    writers: list[Any] = [await parked(gate.wait()) for _ in range(3)]
    assert not any(w.done() for w in writers)
    gate.set()
    assert await asyncio.wait_for(asyncio.gather(*writers), 1) == [True, True, True]


async def test_a_cancelled_writer_does_not_stop_the_others():
    gate = _Gate()
    gate.clear()
    gone, waiting = await parked(gate.wait()), await parked(gate.wait())
    gone.cancel()
    gate.set()
    assert await asyncio.wait_for(waiting, 1)
    with pytest.raises(asyncio.CancelledError):
        await gone

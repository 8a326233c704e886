"""The trimmed WebSocket protocol's stand-ins for asyncio.Queue (realtime.inbox) and Event.

The protocol itself carries every socket of the end-to-end and browser tests.
"""

import asyncio

import pytest

from api.ws_protocol import _Gate
from realtime.inbox import Inbox


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
    reading = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)  # let it start waiting
    assert not reading.done()
    inbox.put_nowait("late")
    assert await asyncio.wait_for(reading, 1) == "late"


async def test_a_cancelled_reader_loses_nothing():
    inbox = Inbox[str]()
    reading = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    inbox.put_nowait("kept")
    assert await asyncio.wait_for(inbox.get(), 1) == "kept"


async def test_the_gate_holds_writers_while_shut():
    gate = _Gate()
    assert gate.is_set()
    assert await gate.wait()
    gate.clear()
    writers = [asyncio.ensure_future(gate.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in writers)
    gate.set()
    assert await asyncio.wait_for(asyncio.gather(*writers), 1) == [True, True, True]


async def test_a_cancelled_writer_does_not_stop_the_others():
    gate = _Gate()
    gate.clear()
    gone, waiting = asyncio.ensure_future(gate.wait()), asyncio.ensure_future(gate.wait())
    await asyncio.sleep(0)
    gone.cancel()
    gate.set()
    assert await asyncio.wait_for(waiting, 1)
    assert gone.cancelled()

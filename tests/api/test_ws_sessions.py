"""The registry of open sockets: which revocation closes which socket, with what code, and when.

The sockets here are stand-ins recording how they were closed; the real handler, on a real
server, is in ``tests/e2e/test_socket_sessions.py``.
"""

import asyncio
import time
import tracemalloc

import pytest

from api.ws_sessions import FORBIDDEN, REMOVED, SIGN_IN_AGAIN, OpenSockets
from domain.access import sessions
from domain.access.tokens import EXPIRED, Session
from domain.principal import Principal, Role
from schema.core.context import REVOKED

CLERK = Principal(Role.CLERK, 7, 1)


class Socket:
    """Records the close the registry asks for."""

    def __init__(self, closing_order: "list[Socket] | None" = None) -> None:
        self.closes: list[tuple[int, str]] = []
        self.closed = asyncio.Event()
        self._order = closing_order

    async def close_socket(self, code: int, reason: str) -> None:
        self.closes.append((code, reason))
        if self._order is not None:
            self._order.append(self)
        self.closed.set()


def session(token_id: str, principal: Principal = CLERK, issued: int = 1000) -> Session:
    return Session(principal, token_id, issued, issued + 3600)


async def test_a_socket_is_closed_when_its_token_expires_and_not_before():
    registry, socket = OpenSockets(), Socket()
    started = time.monotonic()
    registry.add(socket, session("t1"), seconds_left=0.2)
    await asyncio.wait_for(socket.closed.wait(), 5)
    assert time.monotonic() - started >= 0.19
    assert socket.closes == [(SIGN_IN_AGAIN, EXPIRED)]
    assert len(registry) == 0


async def test_a_socket_that_closed_leaves_no_timer_to_fire():
    registry, gone, later = OpenSockets(), Socket(), Socket()
    registry.add(gone, session("t1"), seconds_left=0.05)
    registry.add(later, session("t2"), seconds_left=0.1)
    registry.discard(gone)
    await asyncio.wait_for(later.closed.wait(), 5)  # past the first one's expiry
    assert gone.closes == []


async def test_expiries_come_in_order_whatever_order_the_sockets_came_in():
    registry, order = OpenSockets(), list[Socket]()
    later, sooner = Socket(order), Socket(order)
    registry.add(later, session("t1"), seconds_left=0.3)
    registry.add(sooner, session("t2"), seconds_left=0.1)  # sets the one timer sooner
    await asyncio.wait_for(later.closed.wait(), 5)
    assert order == [sooner, later]


async def test_sockets_gone_are_dropped_from_the_expiry_heap():
    """A socket that closes leaves its heap item behind until the heap is mostly such items;
    those left still expire on time."""
    registry = OpenSockets()
    gone = [Socket() for _ in range(200)]
    for n, socket in enumerate(gone):
        registry.add(socket, session(f"g{n}"), seconds_left=3600)
    kept = Socket()
    registry.add(kept, session("kept"), seconds_left=0.1)
    for socket in gone:
        registry.discard(socket)
    assert len(registry._expiries) <= 64
    await asyncio.wait_for(kept.closed.wait(), 5)
    assert kept.closes == [(SIGN_IN_AGAIN, EXPIRED)]


async def test_signing_out_closes_the_sockets_of_that_token_only():
    registry = OpenSockets()
    first, second, other = Socket(), Socket(), Socket()
    registry.add(first, session("t1"), 3600)
    registry.add(second, session("t1"), 3600)  # the same token in two tabs
    registry.add(other, session("t2"), 3600)
    registry.apply({"token": "t1"})
    await asyncio.wait_for(asyncio.gather(first.closed.wait(), second.closed.wait()), 5)
    assert first.closes == second.closes == [(SIGN_IN_AGAIN, REVOKED)]
    assert other.closes == []
    assert len(registry) == 1


async def test_a_removal_closes_the_tokens_issued_until_then():
    registry = OpenSockets()
    before, after, stranger = Socket(), Socket(), Socket()
    registry.add(before, session("t1", issued=1000), 3600)
    registry.add(after, session("t2", issued=2001), 3600)  # signed in again since
    registry.add(stranger, session("t3", Principal(Role.CLERK, 8, 1)), 3600)
    registry.apply({"subject": sessions.subject_of(CLERK), "since": 2000})
    await asyncio.wait_for(before.closed.wait(), 5)
    assert before.closes == [(FORBIDDEN, REMOVED)]
    assert after.closes == stranger.closes == []


async def test_a_malformed_message_closes_nothing():
    registry, socket = OpenSockets(), Socket()
    registry.add(socket, session("t1"), 3600)
    for message in ({}, {"token": 1}, {"subject": "CLERK:7"}, {"subject": "CLERK:7", "since": "x"}):
        registry.apply(message)
    assert len(registry) == 1  # a socket being closed leaves the registry at once


async def test_revocations_published_on_the_bus_reach_the_registry(bus, redis, db):
    registry, socket = OpenSockets(), Socket()
    now = time.time()
    signed_in = Session(CLERK, "t1", int(now) - 10, int(now) + 3600)
    registry.add(socket, signed_in, 3600)
    async with registry.watching(bus, redis):
        await sessions.revoke(redis, bus, signed_in, now)
        await asyncio.wait_for(socket.closed.wait(), 5)
    assert socket.closes == [(SIGN_IN_AGAIN, REVOKED)]
    assert bus.subscriber_count == 0  # the registry listens; it is not a subscription


async def test_a_recheck_finds_what_a_lost_message_would_have_said(bus, redis, db):
    """After the bus reconnects (messages meanwhile are lost), every socket is asked about."""
    registry = OpenSockets()
    now = time.time()
    removed, kept = Socket(), Socket()
    registry.add(removed, Session(CLERK, "t1", int(now) - 10, int(now) + 3600), 3600)
    other = Principal(Role.CLERK, 8, 1)
    registry.add(kept, Session(other, "t2", int(now) - 10, int(now) + 3600), 3600)
    await sessions.revoke_all(redis, bus, CLERK, now, 3600)  # the registry does not listen
    await registry.recheck(redis)
    await asyncio.wait_for(removed.closed.wait(), 5)
    assert removed.closes == [(FORBIDDEN, REMOVED)]
    assert kept.closes == []


@pytest.mark.parametrize("count", [2000])
async def test_an_idle_socket_costs_the_registry_little(count):
    """An entry and a heap item a socket: about half a KiB (a socket is ~28 KiB)."""
    registry = OpenSockets()
    sockets = [Socket() for _ in range(count)]
    made = [session(f"t{n}", Principal(Role.CLERK, n, 1)) for n in range(count)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for socket, signed_in in zip(sockets, made, strict=True):
            registry.add(socket, signed_in, 3600)
        per_socket = (tracemalloc.get_traced_memory()[0] - before) / count
    finally:
        tracemalloc.stop()
    for socket in sockets:
        registry.discard(socket)
    assert per_socket < 640, f"{per_socket:.0f} bytes a socket"

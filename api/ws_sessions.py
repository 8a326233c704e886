"""Open sockets held to their token: closed when it is signed out, its account removed, or it
expires.

HTTP checks the token on every request, a socket only at ``connection_init``, and a store app's
socket stays open for hours. Every acknowledged socket is registered here by its token's id and
by its subject (whose tokens a staff removal revokes at once). One listener per process takes
the revocations from the event bus (Redis pub/sub: every API process hears each one, its own
included) and closes the sockets they name; one heap of expiry times, with a single event-loop
timer set for the earliest, closes each socket when its token expires. Nothing polls, and an
idle socket costs an entry here and one in the heap (about 0.5 KiB; a socket is ~28 KiB).

Each ``subscribe`` a socket sends checks the token again too (``api.ws_limits``), so a
revocation message lost with a dropped Redis connection lets nothing through and closes the
socket then; the bus's RESYNC after a reconnect re-checks every socket as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any, Protocol

from domain.access import sessions
from domain.access.sessions import Revoked
from domain.access.tokens import EXPIRED, Session
from realtime import keys
from realtime.bus import EventBus
from realtime.client import Redis
from schema.core.context import REVOKED

log = logging.getLogger("o2o.ws")

# graphql-transport-ws leaves 4400-4499 to the server; 4401 and 4403 are what its own
# handshake uses for "not signed in" and "forbidden".
SIGN_IN_AGAIN = 4401
FORBIDDEN = 4403
REMOVED = "This account was removed; it can no longer sign in."


def close_for(cause: Revoked | None) -> tuple[int, str]:
    """The close code and the reason a client can show, for a refused token (None: expired)."""
    if cause is Revoked.SUBJECT:
        return FORBIDDEN, REMOVED
    if cause is Revoked.TOKEN:
        return SIGN_IN_AGAIN, REVOKED
    return SIGN_IN_AGAIN, EXPIRED


class Closable(Protocol):
    """A socket's handler, as the registry sees it."""

    async def close_socket(self, code: int, reason: str) -> None: ...


class _Entry:
    __slots__ = ("seq", "session")

    def __init__(self, session: Session, seq: int) -> None:
        self.session = session
        self.seq = seq  # its item in the expiry heap; an item of a socket gone is stale


# Stale heap items are dropped as they come due, or all at once when they outnumber the live
# ones (as asyncio does with its cancelled timers): a timer handle per socket cost ~340 bytes.
_COMPACT_ABOVE = 64


class OpenSockets:
    """This process's acknowledged sockets, by token id and by subject."""

    def __init__(self) -> None:
        self._entries: dict[Closable, _Entry] = {}
        # Lists, not sets: a token or an account has a socket or two, and a one-item list is a
        # third of a set's size.
        self._by_token: dict[str, list[Closable]] = {}
        self._by_subject: dict[str, list[Closable]] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # closing sockets, re-checks
        self._expiries: list[tuple[float, int, Closable]] = []  # (loop time, seq, socket)
        self._seq = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, socket: Closable, session: Session, seconds_left: float) -> None:
        """Watch ``socket``, signed in with ``session``, which expires in ``seconds_left``."""
        self.discard(socket)
        seq = next(self._seq)
        due = asyncio.get_running_loop().time() + max(seconds_left, 0.0)
        heapq.heappush(self._expiries, (due, seq, socket))
        self._entries[socket] = _Entry(session, seq)
        self._by_token.setdefault(session.token_id, []).append(socket)
        self._by_subject.setdefault(sessions.subject_of(session.principal), []).append(socket)
        self._arm()

    def discard(self, socket: Closable) -> None:
        entry = self._entries.pop(socket, None)
        if entry is None:
            return
        _unindex(self._by_token, entry.session.token_id, socket)
        _unindex(self._by_subject, sessions.subject_of(entry.session.principal), socket)
        if len(self._expiries) > max(2 * len(self._entries), _COMPACT_ABOVE):
            self._expiries = [item for item in self._expiries if self._live(item)]
            heapq.heapify(self._expiries)
            self._arm()

    def _live(self, item: tuple[float, int, Closable]) -> bool:
        entry = self._entries.get(item[2])
        return entry is not None and entry.seq == item[1]

    def _arm(self) -> None:
        """Set the one timer for the earliest expiry (only ever sooner than it was set)."""
        if not self._expiries:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            return
        due = self._expiries[0][0]
        if self._timer is not None:
            if self._timer.when() <= due:
                return
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_at(due, self._expire)

    def _expire(self) -> None:
        self._timer = None
        now = asyncio.get_running_loop().time()
        while self._expiries and self._expiries[0][0] <= now:
            item = heapq.heappop(self._expiries)
            if self._live(item):
                self._close(item[2], None)
        self._arm()

    @contextlib.asynccontextmanager
    async def watching(self, bus: EventBus, redis: Redis) -> AsyncIterator[None]:
        """Close the sockets each revocation names, until the block exits."""

        def heard(message: dict[str, Any]) -> None:
            if message.get("resync"):
                self._spawn(self.recheck(redis))
            else:
                self.apply(message)

        with bus.listen(keys.REVOCATION_EVENTS, heard):
            try:
                yield
            finally:
                for task in list(self._tasks):
                    task.cancel()
                    with contextlib.suppress(Exception, asyncio.CancelledError):
                        await task

    def apply(self, message: dict[str, Any]) -> None:
        """Close the sockets a published revocation names."""
        match message:
            case {"token": str(token_id)}:
                for socket in list(self._by_token.get(token_id, ())):
                    self._close(socket, Revoked.TOKEN)
            case {"subject": str(subject), "since": int(since)}:
                for socket in list(self._by_subject.get(subject, ())):
                    entry = self._entries.get(socket)
                    if entry is not None and entry.session.issued_at <= since:
                        self._close(socket, Revoked.SUBJECT)
            case _:
                log.warning("dropped a malformed revocation message")

    async def recheck(self, redis: Redis) -> None:
        """Messages may have been lost while Redis was away: ask Redis about every socket."""
        for socket, entry in list(self._entries.items()):
            try:
                cause = await sessions.revocation(redis, entry.session)
            except Exception:  # Redis away again: the next RESYNC checks once more
                log.warning("could not re-check the open sockets' tokens", exc_info=True)
                return
            if cause is not None and self._entries.get(socket) is entry:
                self._close(socket, cause)

    def _close(self, socket: Closable, cause: Revoked | None) -> None:
        if socket not in self._entries:
            return  # closing already
        self.discard(socket)
        self._spawn(socket.close_socket(*close_for(cause)))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _unindex(index: dict[str, list[Closable]], key: str, socket: Closable) -> None:
    sockets = index.get(key)
    if sockets is not None and socket in sockets:
        sockets.remove(socket)
        if not sockets:
            del index[key]

"""uvicorn's sans-I/O WebSocket protocol, holding less for the hours a store app's socket idles.

Per socket, uvicorn keeps an ``asyncio.Queue`` of received messages and an ``asyncio.Event``
for write flow control: five deques, ~3 KiB, for a queue that holds one message at a time.
It also keeps the parsed handshake request (its headers are copied into the ASGI scope and
never read again) and the handshake response. The protocol below swaps the two primitives
for the same operations on a list and a future, and lets the handshake objects go once the
socket is open. Everything else is uvicorn's own (``uvicorn==0.54.0``, pinned).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request

from realtime.inbox import Inbox


class _Gate:
    """The part of ``asyncio.Event`` uvicorn uses; waiters are only made while it is shut."""

    __slots__ = ("_open", "_waiters")

    def __init__(self) -> None:
        self._open = True
        self._waiters: list[asyncio.Future[None]] = []

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> bool:
        if not self._open:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter
        return True


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = _Gate()  # type: ignore[assignment]

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # Copied into the scope above; uvicorn never reads it again.
        self.request = None  # type: ignore[assignment]

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete:  # the response was sent; only the handshake reads it
            self.response = None  # type: ignore[assignment]

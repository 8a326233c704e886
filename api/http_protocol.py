"""uvicorn's httptools protocol with a deadline for the request head.

uvicorn times out an idle keep-alive connection, but neither of its HTTP protocols bounds how
long a client may take to send a request's line and headers: a client that connects and
trickles a byte now and then (or sends nothing) holds its socket and its memory for ever, and
a few thousand such clients exhaust the process's file descriptors. Here a connection gets
``header_timeout`` seconds from its first byte (from connecting, for the first request) to the
end of its headers; past it the client is told 408 and the connection is closed. The body has
its own deadline (``api.limits.BodySizeLimit``). Everything else is uvicorn's own
(``uvicorn==0.54.0``, pinned).
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_SAID = b"The request headers came too slowly.\n"
TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\n"
    b"content-length: " + str(len(_SAID)).encode() + b"\r\n"
    b"\r\n" + _SAID
)


class HeadTimeoutProtocol(HttpToolsProtocol):
    """Use :func:`head_timeout_protocol` to get one with a given deadline."""

    header_timeout: float = 10.0
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # the next request on a kept-alive connection: its head has a deadline too

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _too_slow(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing():
            return
        # A response still being written for an earlier (pipelined) request must not be cut
        # into: then the connection is only closed.
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(TIMED_OUT)
        self.transport.close()


def head_timeout_protocol(seconds: float) -> type[HeadTimeoutProtocol]:
    """The protocol class to give uvicorn (``http=``): it builds one per connection itself."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"header_timeout": seconds})

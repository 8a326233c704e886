"""Limits enforced before GraphQL sees a request: body size; and the budgets from settings."""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

BODY_TOO_LARGE = "BODY_TOO_LARGE"
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"


class BodySizeLimit:
    """Refuse an HTTP body over ``max_bytes`` with 413 before anything parses it, and one that
    takes longer than ``timeout`` seconds to arrive with 408 (closing the connection).

    A declared ``Content-Length`` over the cap is refused unread; a body without one (chunked)
    is read up to the cap, then refused, so no more than ``max_bytes`` is ever held. The
    deadline covers the whole body, not each read: a client sending a byte a second would pass
    any per-read timeout while holding its connection for the body's length in seconds.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float = 15.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        messages: list[Message] = []
        size = 0
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    message = await receive()
                    messages.append(message)
                    if message["type"] != "http.request":
                        break
                    size += len(message.get("body", b""))
                    if size > self.max_bytes:
                        await self._refuse(send)
                        return
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await self._timed_out(send)
            return
        await self.app(scope, _replay(messages, receive), send)

    async def _refuse(self, send: Send) -> None:
        await _error(send, 413, BODY_TOO_LARGE, f"The request body is over {self.max_bytes} bytes.")

    async def _timed_out(self, send: Send) -> None:
        # "connection: close" makes uvicorn close the socket once this is sent, rather than
        # read the rest of the slow body as if the connection were to be kept.
        await _error(
            send,
            408,
            REQUEST_TIMEOUT,
            f"The request body did not arrive within {self.timeout:g} s.",
            close=True,
        )


async def _error(send: Send, status: int, code: str, message: str, *, close: bool = False) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay

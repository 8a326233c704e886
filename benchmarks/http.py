"""A lean HTTP/1.1 client for the load generator: keep-alive connections, JSON in and out.

httpx costs the generator ~10 ms of CPU per request here, most of it scanning its connection
pool (every request looks at every pooled connection); client and server share the machine's
cores, so that CPU was taken from the server being measured. This client writes the request
and reads ``Content-Length`` bytes back: what the benchmark needs, and little else (no
redirects, no chunked bodies, no TLS).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlsplit


class HttpError(RuntimeError):
    """The server answered something this client does not read, or hung up."""


# uvicorn closes a keep-alive connection after 5 s idle: never reuse one idle that long.
IDLE_LIMIT = 3.0


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()

    def reusable(self) -> bool:
        fresh = time.monotonic() - self.idle_since < IDLE_LIMIT
        return fresh and not self.reader.at_eof() and not self.writer.is_closing()

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            key = name.strip().lower()
            if key == "content-length":
                length = int(value.strip())
            elif key == "transfer-encoding":
                raise HttpError(f"unexpected transfer-encoding: {value.strip()}")
        if length is None:
            raise HttpError("an answer without Content-Length")
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


class JsonClient:
    """POSTs JSON to one server over at most ``connections`` keep-alive connections."""

    def __init__(self, base_url: str, *, connections: int) -> None:
        parts = urlsplit(base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(connections)

    async def post(
        self, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, bytes]:
        payload = json.dumps(body).encode()
        head = [f"POST {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        head += ["Content-Type: application/json", f"Content-Length: {len(payload)}", "", ""]
        request = "\r\n".join(head).encode("latin-1") + payload
        async with self._slots:
            conn = await self._checkout()
            try:
                answer = await conn.exchange(request)
            except BaseException:
                conn.close()  # half-read: never reuse it
                raise
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
            return answer

    async def _checkout(self) -> _Connection:
        while self._idle:
            conn = self._idle.pop()
            if conn.reusable():
                return conn
            conn.close()
        return await self._connect()

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        return _Connection(reader, writer)

    async def aclose(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()

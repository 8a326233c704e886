"""A minimal graphql-transport-ws client on the ``websockets`` package, for tests."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class GraphQLSocket:
    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self._ids = itertools.count(1)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        op_id = str(next(self._ids))
        payload = {"query": query, "variables": variables or {}}
        await self.conn.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))
        return op_id

    async def receive(self, timeout: float = 10) -> dict[str, Any]:
        """The next message that is not a ping (answered) or pong."""
        while True:
            message = json.loads(await asyncio.wait_for(self.conn.recv(), timeout))
            if message["type"] == "ping":
                await self.conn.send(json.dumps({"type": "pong"}))
                continue
            if message["type"] != "pong":
                return message

    async def next_data(self, timeout: float = 10) -> dict[str, Any]:
        message = await self.receive(timeout)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]


@asynccontextmanager
async def graphql_socket(url: str, token: str | None) -> AsyncIterator[GraphQLSocket]:
    """Connected and acknowledged (fails if the server refuses the token)."""
    async with connect(url, subprotocols=[PROTOCOL]) as conn:  # type: ignore[list-item]
        init: dict[str, Any] = {"type": "connection_init"}
        if token is not None:
            init["payload"] = {"Authorization": f"Bearer {token}"}
        await conn.send(json.dumps(init))
        ack = json.loads(await asyncio.wait_for(conn.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        yield GraphQLSocket(conn)


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://", 1) + "/graphql"

"""The graphql-transport-ws handler: the subscription limit's refusal coded, less kept, and the
socket held to its token (checked again at every operation; closed when it stops working)."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

from graphql import GraphQLError
from redis.exceptions import RedisError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from api.ws_sessions import OpenSockets, close_for
from domain.access import sessions
from schema.core.context import UNCHECKED, Context
from schema.core.errors import Code
from schema.core.outages import is_unavailable

SUBSCRIPTION_LIMIT = "SUBSCRIPTION_LIMIT"


class LimitedTransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    # Set once the token is refused: from then on nothing more is sent or started.
    refused = False

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_init_received:
            # Cancelled above; strawberry would keep the finished task for the socket's life.
            self.connection_init_timeout_task = None
        context = self.context
        sockets = self._sockets()
        if self.connection_acknowledged and isinstance(context, Context) and sockets is not None:
            session = context.session
            if session is not None:
                sockets.add(self, session, context.services.tokens.seconds_left(session))

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.refused:
            return
        if self.connection_acknowledged and not await self._still_signed_in(message["id"]):
            return
        limit = self.max_subscriptions_per_connection
        full = limit is not None and len(self.operations) >= limit
        if self.connection_acknowledged and message["id"] not in self.operations and full:
            error = GraphQLError(
                f"This connection already holds {limit} subscriptions.",
                extensions={"code": SUBSCRIPTION_LIMIT},
            )
            await self._refuse(message["id"], error)
            return
        await super().handle_subscribe(message)

    async def _still_signed_in(self, operation_id: str) -> bool:
        """The token checked again, as every HTTP request checks it: False once refused (the
        socket is then closed, or this operation answered SERVICE_UNAVAILABLE)."""
        context = self.context
        session = context.session if isinstance(context, Context) else None
        if session is None:
            return True
        services = context.services
        if services.tokens.seconds_left(session) <= 0:
            await self.close_socket(*close_for(None))
            return False
        try:
            cause = await sessions.revocation(services.redis, session)
        except Exception as exc:
            if not isinstance(exc, RedisError | OSError) and not is_unavailable(exc):
                raise
            # Fail closed, as HTTP does: an operation whose token cannot be checked is refused.
            await self._refuse(
                operation_id,
                GraphQLError(UNCHECKED, extensions={"code": Code.SERVICE_UNAVAILABLE.value}),
            )
            return False
        if cause is not None:
            await self.close_socket(*close_for(cause))
            return False
        return True

    async def _refuse(self, operation_id: str, error: GraphQLError) -> None:
        await self.send_message({"id": operation_id, "type": "error", "payload": [error.formatted]})

    async def send_message(self, message: Any) -> None:
        if not self.refused:
            await super().send_message(message)

    async def close_socket(self, code: int, reason: str) -> None:
        """End every operation first, so that nothing is sent after the close, then close."""
        if self.refused:
            return
        self.refused = True
        sockets = self._sockets()
        if sockets is not None:
            sockets.discard(self)
        tasks = [op.task for op in self.operations.values() if op.task]
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        for task in tasks:
            with suppress(Exception, asyncio.CancelledError):
                await task
        # The client may have gone meanwhile: there is then nothing left to close.
        with suppress(Exception):
            await self.websocket.close(code=code, reason=reason)
        for operation_id in list(self.operations):  # one started while the above ran
            await self.cleanup_operation(operation_id)

    async def shutdown(self) -> None:
        sockets = self._sockets()
        if sockets is not None:
            sockets.discard(self)
        await super().shutdown()

    def _sockets(self) -> OpenSockets | None:
        sockets = getattr(self.view, "sockets", None)
        return sockets if isinstance(sockets, OpenSockets) else None

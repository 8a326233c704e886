"""The graphql-transport-ws handler: the subscription limit's refusal coded, less kept."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

SUBSCRIPTION_LIMIT = "SUBSCRIPTION_LIMIT"


class LimitedTransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_init_received:
            # Cancelled above; strawberry would keep the finished task for the socket's life.
            self.connection_init_timeout_task = None

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self.max_subscriptions_per_connection
        full = limit is not None and len(self.operations) >= limit
        if self.connection_acknowledged and message["id"] not in self.operations and full:
            error = GraphQLError(
                f"This connection already holds {limit} subscriptions.",
                extensions={"code": SUBSCRIPTION_LIMIT},
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)

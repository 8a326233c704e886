"""The strawberry view: builds each request's context from its bearer token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api.settings import AbuseLimits
from api.ws_limits import LimitedTransportWSHandler
from api.ws_sessions import OpenSockets
from schema.context import Context, Services


def bearer_token(header: str | None) -> tuple[str | None, str | None]:
    """``(token, problem)`` from an Authorization value; both None when there is none."""
    if not header:
        return None, None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "Authorization must be 'Bearer <token>'."
    return token.strip(), None


async def context_for(services: Services, header: str | None) -> Context:
    token, problem = bearer_token(header)
    if problem:
        return Context(services=services, auth_failure=problem)
    return await Context.for_checked_token(services, token)


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = LimitedTransportWSHandler

    def __init__(self, schema: Any, *, explorer: bool, abuse: AbuseLimits | None = None) -> None:
        abuse = abuse or AbuseLimits()
        super().__init__(
            schema,
            graphql_ide="graphiql" if explorer else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # A socket that never sends connection_init is closed (4408) after this long.
            connection_init_wait_timeout=timedelta(seconds=abuse.ws_init_timeout_seconds),
            max_subscriptions_per_connection=abuse.max_subscriptions_per_connection,
        )
        # Every acknowledged socket, closed when its token stops working (``api.ws_sessions``).
        self.sockets = OpenSockets()

    def encode_json(self, data: object) -> str:
        # Text, not bytes: strawberry sends bytes as binary WebSocket frames, which browsers
        # hand to the app as a Blob.
        return orjson.dumps(data).decode()

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        """Authenticate the socket from ``connection_init``'s ``Authorization``; refuse without."""
        params = context.connection_params or {}
        header = params.get("Authorization", params.get("authorization"))
        token, problem = bearer_token(header if isinstance(header, str) else None)
        if token is None:
            raise ConnectionRejectionError({"message": problem or "Sign in first."})
        checked = await Context.for_checked_token(context.services, token)
        if checked.principal is None:
            raise ConnectionRejectionError({"message": checked.auth_failure or "Sign in first."})
        context.principal, context.session = checked.principal, checked.session
        context.auth_failure = None
        return None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        services: Services = request.app.state.services
        context = await context_for(services, request.headers.get("authorization"))
        context.request = request
        return context

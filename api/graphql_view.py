"""The strawberry view: builds each request's context from its bearer token."""

from __future__ import annotations

import json
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api.settings import AbuseLimits
from api.ws_limits import LimitedTransportWSHandler
from api.ws_sessions import OpenSockets
from schema.core.context import Context, Services


class RefusedBody(json.JSONDecodeError):
    """A body or WebSocket message that is not one JSON object in UTF-8.

    A ``JSONDecodeError``, so that strawberry's WebSocket handler closes the socket with
    4400 as for any unparsable message.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, "", 0)
        self.message = message


def decode_object(data: str | bytes) -> dict[str, object]:
    """One JSON object, by orjson, which is strict where the standard library is not: it
    refuses invalid UTF-8, lone surrogates (``"\\ud800"``: no string argument can hold one)
    and NaN, and stops at 1024 levels of nesting instead of exhausting the stack
    (``RecursionError``)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RefusedBody(_why(data, exc)) from None
    if not isinstance(value, dict):
        raise RefusedBody(f"The body must be one JSON object with a query, not {_kind(value)}.")
    return value


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "an array (batching is not enabled)"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return orjson.dumps(value).decode()
    return "a number"


def _why(data: str | bytes, exc: orjson.JSONDecodeError) -> str:
    if isinstance(data, bytes):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            return f"The body is not valid UTF-8 (byte {bad.start})."
    if exc.msg.startswith("depth limit exceeded"):
        return "The body is nested too deeply (at most 1024 levels)."
    if "surrogate" in exc.msg:
        return (
            f"The body holds a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its"
            f" pair) at character {exc.pos}."
        )
    return f"The body is not valid JSON: {exc.msg} at character {exc.pos}."


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry's, but a refused HTTP request is answered in JSON like every other
        error, not in plain text."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            response = refusal(exc.status_code, exc.reason)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        return decode_object(data)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return decode_object(data)
        except RefusedBody as exc:
            raise HTTPException(400, exc.message) from None

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


def refusal(status: int, message: str) -> Response:
    """``{"errors": [{"message", "extensions": {"code"}}]}``: the code is the status's name
    (``BAD_REQUEST``, ``METHOD_NOT_ALLOWED``, ``NOT_FOUND``)."""
    try:
        code = HTTPStatus(status).name
    except ValueError:  # not a status http knows: still a refusal of the request
        code = HTTPStatus.BAD_REQUEST.name
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")

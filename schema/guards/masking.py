"""What a client is told of a failure it could not have caused.

A database or Redis that does not answer is ``SERVICE_UNAVAILABLE`` (worth retrying); anything
else is ``INTERNAL_ERROR``, "Unexpected error.". Both carry the request id the server logged
the failure under, so a report can be matched to the log line.
"""

from __future__ import annotations

from graphql import GraphQLError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from strawberry.extensions import MaskErrors
from tortoise.exceptions import DBConnectionError

from schema.guards.observability import current_request

UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL = "INTERNAL_ERROR"
UNAVAILABLE_MESSAGE = "The service is briefly unavailable; try again shortly."
_UNAVAILABLE_TYPES = (
    DBConnectionError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
    OSError,
)


# PostgreSQL's connection failures, and its shutting down or starting up (57P01-57P03).
_UNAVAILABLE_SQLSTATES = ("08", "57P")


def is_unavailable(error: BaseException | None) -> bool:
    """A failure to reach the database or Redis, seen through any chain of causes."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, _UNAVAILABLE_TYPES) or _asyncpg_unavailable(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _asyncpg_unavailable(error: BaseException) -> bool:
    if not type(error).__module__.startswith("asyncpg.exceptions"):
        return False
    name = type(error).__name__
    sqlstate = str(getattr(error, "sqlstate", None) or "")
    # A pooled connection whose server went away mid-operation can be handed out again before
    # asyncpg notices, and then fails with "cannot switch to state …" (InternalClientError).
    return (
        "Connection" in name
        or name == "InternalClientError"
        or sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    )


class MaskUnexpected(MaskErrors):
    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        unavailable = is_unavailable(error.original_error)
        request = current_request()
        extensions: dict[str, object] = {"code": UNAVAILABLE if unavailable else INTERNAL}
        if request is not None:
            extensions["requestId"] = request.request_id
        return GraphQLError(
            message=UNAVAILABLE_MESSAGE if unavailable else self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )

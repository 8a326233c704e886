"""What a client is told of a failure it could not have caused.

A database or Redis that does not answer is ``SERVICE_UNAVAILABLE`` (worth retrying); anything
else is ``INTERNAL_ERROR``, "Unexpected error.". Both carry the request id the server logged
the failure under, so a report can be matched to the log line.
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from schema.core.errors import Code
from schema.core.outages import is_unavailable
from schema.guards.observability import current_request

UNAVAILABLE_MESSAGE = "The service is briefly unavailable; try again shortly."


class MaskUnexpected(MaskErrors):
    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        unavailable = is_unavailable(error.original_error)
        request = current_request()
        extensions: dict[str, object] = {
            "code": Code.SERVICE_UNAVAILABLE if unavailable else Code.INTERNAL_ERROR
        }
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

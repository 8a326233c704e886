"""What one request is doing, for logs and metrics: its id, operation, caller and outcome.

The API layer opens a :class:`RequestInfo` per HTTP request or WebSocket; the
:class:`ObserveOperations` extension fills in each GraphQL operation and reports it when done.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from schema.errors import PublicError

ANONYMOUS = "ANONYMOUS"
# Error codes that name the outcome of an operation; any other error is "invalid" (refused by
# validation) or "internal" (unexpected, masked).
KNOWN_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "RATE_LIMITED",
        "BAD_USER_INPUT",
        "NOT_FOUND",
        "DEPTH_LIMIT",
        "ALIAS_LIMIT",
        "TOKEN_LIMIT",
        "COMPLEXITY_LIMIT",
        "REPEAT_LIMIT",
        "SERVICE_UNAVAILABLE",
    }
)


@dataclass
class RequestInfo:
    request_id: str
    operation: str = "-"
    role: str = ANONYMOUS
    outcome: str = "-"


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "o2o_request", default=None
)


def current_request() -> RequestInfo | None:
    return _current.get()


def begin_request(request_id: str) -> contextvars.Token[RequestInfo | None]:
    return _current.set(RequestInfo(request_id))


def end_request(token: contextvars.Token[RequestInfo | None]) -> None:
    _current.reset(token)


@dataclass(frozen=True)
class OperationReport:
    operation: str
    outcome: str
    role: str
    seconds: float


Reporter = Callable[[OperationReport], None]


def outcome_of(errors: list[GraphQLError] | None) -> str:
    if not errors:
        return "ok"
    error = errors[0]
    code = (error.extensions or {}).get("code")
    if code in KNOWN_CODES:
        return str(code)
    if error.original_error is not None and not isinstance(error.original_error, PublicError):
        from schema.masking import is_unavailable  # masking reads this module's request

        return "SERVICE_UNAVAILABLE" if is_unavailable(error.original_error) else "internal"
    return "invalid"


def operation_label(context: Any) -> str:
    """``"mutation orderPlace"``: the operation type and its first root field, never the
    client's free-form operation name (it would make a metric label per client)."""
    document = getattr(context, "graphql_document", None)
    if document is None:
        return "-"
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            selections = definition.selection_set.selections
            field = getattr(selections[0], "name", None) if selections else None
            name = field.value if field is not None else "-"
            return f"{definition.operation.value} {name}"
    return "-"


class ObserveOperations(SchemaExtension):
    """Times each operation and reports its label, caller role and outcome."""

    reporter: Reporter | None = None

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        raised: list[GraphQLError] | None = None
        try:
            yield
        except GraphQLError as error:
            raised = [error]
            raise
        finally:
            self._report(time.perf_counter() - started, raised)

    def _report(self, seconds: float, raised: list[GraphQLError] | None) -> None:
        ctx = self.execution_context
        result = ctx.result
        errors = raised or (result.errors if result is not None else None)
        errors = errors or ctx.pre_execution_errors
        principal = getattr(ctx.context, "principal", None)
        report = OperationReport(
            operation=operation_label(ctx) if ctx.graphql_document is not None else "-",
            outcome=outcome_of(errors),
            role=principal.role.value if principal is not None else ANONYMOUS,
            seconds=seconds,
        )
        request = current_request()
        if request is not None:
            request.operation, request.role, request.outcome = (
                report.operation,
                report.role,
                report.outcome,
            )
        if self.reporter is not None:
            self.reporter(report)


def observer(reporter: Reporter | None) -> Callable[[], SchemaExtension]:
    def make() -> SchemaExtension:
        extension = ObserveOperations()
        extension.reporter = reporter
        return extension

    return make

"""``orderOffers`` streamed without executing the document for every event.

Every offer a store is sent passes through here, and executing the subscription's document
per event (graphql-core's field walk, strawberry's extension hooks) cost more CPU than the
rest of delivering it. For the documents store apps send, whose selections only read fields
(see ``schema.projection``), each event is projected straight into its response data.

Anything else takes the ordinary path: a document that does not parse, validate or project; a
caller refused; or a store that is not theirs (the ordinary path then reports the error as it
always does). What this path emits is checked against the ordinary one by the tests.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.types import ExecutionResult

from schema.core.context import Context
from schema.guards.documents import off_the_loop
from schema.guards.limits import Limits, measure
from schema.guards.masking import MaskUnexpected
from schema.guards.observability import (
    ANONYMOUS,
    OperationReport,
    Reporter,
    current_request,
    outcome_of,
)
from schema.orders.projection import Projection, compile_projection
from schema.orders.subscriptions import offer_event, offer_events, offers_store

log = logging.getLogger("o2o.graphql")

FIELD = "orderOffers"
LABEL = f"subscription {FIELD}"
CACHE_SIZE = 256


@dataclass(frozen=True)
class Plan:
    """A document this path serves: its one field and the projection of its events."""

    document: DocumentNode
    operation: OperationDefinitionNode
    field: FieldNode
    project: Projection

    @property
    def key(self) -> str:
        return (self.field.alias or self.field.name).value


class OfferStreams:
    """Plans by document text (a few documents, sent by every store app), and the streams."""

    def __init__(
        self,
        schema: GraphQLSchema,
        rules: Sequence[type[ASTValidationRule]],
        *,
        limits: Limits,
        reporter: Reporter | None,
    ) -> None:
        self._schema = schema
        self._rules = [*specified_rules, *rules]
        self._limits = limits
        self._reporter = reporter
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()

    async def plan(self, query: str | None, operation_name: str | None) -> Plan | None:
        if not query or FIELD not in query:
            return None
        key = (query, operation_name)
        if key in self._plans:
            self._plans.move_to_end(key)
            return self._plans[key]
        # Parsing and validating hold the GIL for tens of milliseconds: not on the loop.
        plan = await off_the_loop(lambda: self._compile(query, operation_name))
        self._plans[key] = plan
        if len(self._plans) > CACHE_SIZE:
            self._plans.popitem(last=False)
        return plan

    def _compile(self, query: str, operation_name: str | None) -> Plan | None:
        try:
            document = parse(query, max_tokens=self._limits.max_tokens)
        except GraphQLError:
            return None
        # As the ordinary path does, before validation: a document over the limits would hold
        # the event loop while validated (the ordinary path then refuses it).
        if measure(document, self._limits) is not None:
            return None
        if validate(self._schema, document, self._rules):
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
            return None
        selections = operation.selection_set.selections
        if len(selections) != 1 or not isinstance(selections[0], FieldNode):
            return None
        field = selections[0]
        if field.name.value != FIELD or field.directives:
            return None
        event_type = self._event_type()
        project = compile_projection(event_type, field.selection_set)
        if project is None:
            return None
        return Plan(document, operation, field, project)

    def _event_type(self) -> GraphQLObjectType:
        subscription = self._schema.subscription_type
        assert subscription is not None
        event_type = subscription.fields[FIELD].type
        while not isinstance(event_type, GraphQLObjectType):
            event_type = event_type.of_type
        return event_type

    async def open(
        self, plan: Plan, context: Any, variables: dict[str, Any] | None
    ) -> AsyncGenerator[ExecutionResult, None] | None:
        """The stream, or None when the ordinary path must answer (it reports the error)."""
        if not isinstance(context, Context):
            return None
        try:
            store = await offers_store(context, self._store_argument(plan, variables))
        except Exception:  # refused, or the database away: reported as execution reports it
            return None
        return self._stream(plan, context, store)

    def _store_argument(self, plan: Plan, variables: dict[str, Any] | None) -> Any:
        """The ``storeId`` argument as GraphQL coerces it; a ``GraphQLError`` if it does not."""
        coerced = get_variable_values(
            self._schema, plan.operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            raise coerced[0]
        subscription = self._schema.subscription_type
        assert subscription is not None
        return get_argument_values(subscription.fields[FIELD], plan.field, coerced).get("storeId")

    async def _stream(
        self, plan: Plan, context: Context, store: int
    ) -> AsyncGenerator[ExecutionResult, None]:
        started = time.perf_counter()
        outcome = "ok"
        actor = context.principal
        assert actor is not None  # offers_store required one
        try:
            async with aclosing(offer_events(context.services.bus, store)) as events:
                async for kind, offer, order in events:
                    event = offer_event(actor, kind, offer, order)
                    yield ExecutionResult(data={plan.key: plan.project(event)}, errors=None)
        except Exception as exc:  # the ordinary path masks it the same way
            error = _error(exc)
            outcome = outcome_of([error])
            yield ExecutionResult(data=None, errors=[_masked(error)])
        finally:
            self._report(context, outcome, time.perf_counter() - started)

    def _report(self, context: Context, outcome: str, seconds: float) -> None:
        principal = context.principal
        role = principal.role.value if principal is not None else ANONYMOUS
        request = current_request()
        if request is not None:
            request.operation, request.role, request.outcome = LABEL, role, outcome
        if self._reporter is not None:
            self._reporter(OperationReport(LABEL, outcome, role, seconds))


def _error(exc: Exception) -> GraphQLError:
    # As execution reports a failing source stream: no location, no path.
    return GraphQLError(str(exc), original_error=exc)


def _masked(error: GraphQLError) -> GraphQLError:
    log.error("unexpected error in %s", error.path, exc_info=error.original_error)
    return MaskUnexpected().anonymise_error(error)

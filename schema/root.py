"""The schema: root types, limits on what one document may ask, error masking."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types.graphql import OperationType

from schema.core.errors import PublicError
from schema.crm.callbacks.mutations import CallbackMutation
from schema.crm.callbacks.queries import CallbackQuery
from schema.crm.callbacks.types import CallbackTask, Message
from schema.crm.channel.mutations import ChannelMutation
from schema.crm.channel.queries import ChannelQuery
from schema.crm.channel.subscriptions import ChannelSubscription
from schema.crm.channel.types import Distributor, DiversionAlert, Shipment
from schema.guards.documents import Documents, PreparedDocuments
from schema.guards.limits import Limits, limit_extensions, validation_rules
from schema.guards.masking import MaskUnexpected
from schema.guards.observability import Reporter, observer
from schema.loyalty.mutations import LoyaltyMutation
from schema.loyalty.queries import LoyaltyQuery
from schema.loyalty.types import Activity, Campaign, PointsEntry, Voucher
from schema.nodes import NodeQuery
from schema.orders.mutations import OrderMutation
from schema.orders.offer_stream import OfferStreams
from schema.orders.queries import OrdersQuery
from schema.orders.subscriptions import OrdersSubscription
from schema.orders.types import Order, OrderOffer
from schema.people.mutations import PeopleMutation
from schema.people.queries import PeopleQuery
from schema.people.sessions import SessionMutation
from schema.people.types import Member, Staff
from schema.stores.mutations import StoresMutation
from schema.stores.queries import StoresQuery
from schema.stores.types import Product, Reward, Store

log = logging.getLogger("o2o.graphql")

# One root per operation type, composed of the areas' own (as saleor's graphql/api.py does).
Query = merge_types(
    "Query",
    (
        NodeQuery,
        PeopleQuery,
        StoresQuery,
        OrdersQuery,
        LoyaltyQuery,
        ChannelQuery,
        CallbackQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        SessionMutation,
        PeopleMutation,
        StoresMutation,
        OrderMutation,
        LoyaltyMutation,
        ChannelMutation,
        CallbackMutation,
    ),
)
Subscription = merge_types("Subscription", (OrdersSubscription, ChannelSubscription))


__all__ = ["Limits", "build_schema", "should_mask"]

# graphql-core's " Did you mean 'search'?" (or "… the enum value 'PENDING'?"): names of
# arguments, types, enum values and input fields the client did not send.
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


def should_mask(error: GraphQLError) -> bool:
    """Hide unexpected failures; validation errors and our own public errors pass through."""
    original = error.original_error
    if original is None or isinstance(original, PublicError):
        return False
    if isinstance(original, GraphQLError) and original.original_error is None:
        return False
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True


class Schema(strawberry.Schema):
    # Set by build_schema once the schema exists: the fast path of store apps' offer streams.
    offer_streams: OfferStreams | None = None
    # Set by build_schema: the documents parsed and validated so far.
    documents: Documents | None = None
    # Set by build_schema with the explorer off: the schema is then private, and no error
    # may suggest a name from it. (strawberry's disable_field_suggestions covers fields only.)
    hide_suggestions: bool = False

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> Any:
        """An ``orderOffers`` document that only reads fields has each event projected."""
        streams = self.offer_streams
        plan = await streams.plan(query, operation_name) if streams is not None else None
        if streams is not None and plan is not None:
            fast = await streams.open(plan, context_value, variable_values)
            if fast is not None:
                return fast
        return await super().stream(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
            allowed_operation_types,
        )

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Expected errors (refused input, sign-in needed) are the client's business: DEBUG.

        Unexpected ones are logged at ERROR, with the request id, by ``should_mask``. Every
        error a client is sent passes here first (validation's, variables', execution's, on
        HTTP and WebSocket alike), so this is where suggestions are taken out.
        """
        for error in errors:
            if self.hide_suggestions:
                error.message = without_suggestions(error.message)
            log.debug("graphql error: %s", error.message)


def build_schema(
    *,
    introspection: bool = True,
    limits: Limits | None = None,
    reporter: Reporter | None = None,
) -> Schema:
    limits = limits or Limits()
    rules = validation_rules(limits)
    documents = Documents(limits)
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        *limit_extensions(limits, rules),
        lambda: MaskUnexpected(should_mask_error=should_mask),
        # Parsed, measured against the limits and validated off the event loop, and cached.
        lambda: PreparedDocuments(documents),
        # Last, so that it exits first: it sees errors before MaskErrors replaces them.
        observer(reporter),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
        rules = [*rules, NoSchemaIntrospectionCustomRule]
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            Store,
            Staff,
            Product,
            Reward,
            Member,
            PointsEntry,
            Order,
            OrderOffer,
            Voucher,
            Campaign,
            Activity,
            Distributor,
            Shipment,
            DiversionAlert,
            CallbackTask,
            Message,
        ],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=True),
    )
    schema.documents = documents
    schema.hide_suggestions = not introspection
    schema.offer_streams = OfferStreams(schema._schema, rules, limits=limits, reporter=reporter)
    return schema

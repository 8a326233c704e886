"""The schema: root types, limits on what one document may ask, error masking."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.errors import PublicError
from schema.loyalty import Activity, Campaign
from schema.loyalty_mutations import LoyaltyMutation
from schema.loyalty_queries import LoyaltyQuery
from schema.mutations import SetupMutation
from schema.order_mutations import OrderMutation
from schema.queries import Query
from schema.subscriptions import Subscription
from schema.types import (
    Member,
    Order,
    OrderOffer,
    PointsEntry,
    Product,
    Reward,
    Staff,
    Store,
    Voucher,
)

log = logging.getLogger("o2o.graphql")


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 15
    max_tokens: int = 2000


def should_mask(error: GraphQLError) -> bool:
    """Hide unexpected failures; validation errors and our own public errors pass through."""
    original = error.original_error
    if original is None or isinstance(original, PublicError):
        return False
    if isinstance(original, GraphQLError) and original.original_error is None:
        return False
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True


def build_schema(*, introspection: bool = True, limits: Limits | None = None) -> strawberry.Schema:
    limits = limits or Limits()
    # The limit rules are classes made once: QueryDepthLimiter and MaxAliasesLimiter make a new
    # rule class per request, and the validation cache, keyed by the rules, then never hits.
    rules: list[type[ASTValidationRule]] = [
        depth_rule(limits.max_depth, None),
        aliases_rule(limits.max_aliases),
    ]
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: MaskErrors(should_mask_error=should_mask),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(
        query=merge_types("Query", (Query, LoyaltyQuery)),
        mutation=merge_types("Mutation", (SetupMutation, OrderMutation, LoyaltyMutation)),
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
        ],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=True),
    )

"""A document of several operations runs the one ``operationName`` names, and none without it."""

import asyncio
from typing import Any

from schema.core.context import Context
from tests.schema.orders.test_orders import world  # noqa: F401  (the fixture)

TWO = "query Products { products { sku } } query Stores { stores { edges { node { code } } } }"
TWO_SUBSCRIPTIONS = (
    "subscription Offers { orderOffers { kind } } "
    "subscription Unassigned { ordersUnassigned { id } }"
)


def context(gql: Any, principal: Any = None) -> Context:
    token = gql.services.tokens.issue(principal) if principal is not None else None
    return Context.for_token(gql.services, token)


async def test_several_operations_without_a_name_are_refused(gql):
    result = await gql.schema.execute(TWO, context_value=context(gql))
    assert result.data is None
    assert result.errors[0].extensions["code"] == "OPERATION_NAME_REQUIRED"
    assert "operationName" in result.errors[0].message
    assert "Products, Stores" in result.errors[0].message


async def test_the_named_operation_runs(gql):
    result = await gql.schema.execute(TWO, context_value=context(gql), operation_name="Stores")
    assert result.errors is None
    assert set(result.data) == {"stores"}


async def test_a_single_operation_needs_no_name(gql):
    result = await gql.schema.execute(
        "query Products { products { sku } }", context_value=context(gql)
    )
    assert result.errors is None


async def test_a_subscription_among_several_is_refused_without_a_name(gql, world):  # noqa: F811
    # A store's clerk, whom the first operation would serve: refused all the same.
    clerk = context(gql, world["clerk_a"])
    stream = await gql.schema.subscribe(TWO_SUBSCRIPTIONS, context_value=clerk)
    first = await asyncio.wait_for(anext(stream), 5)
    assert first.errors[0].extensions["code"] == "OPERATION_NAME_REQUIRED"
    named = await gql.schema.subscribe(
        TWO_SUBSCRIPTIONS, context_value=context(gql, world["clerk_a"]), operation_name="Offers"
    )
    await named.aclose()

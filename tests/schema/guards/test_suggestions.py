"""With the explorer off, errors suggest no name the client did not send (the schema is private)."""

import asyncio
from typing import Any

import pytest

from schema.root import build_schema
from tests.conftest import GraphQLClient

LINE = '{ productId: "UHJvZHVjdDox", quantity: 1 }'
WHERE = "deliveryLocation: { latitude: 31.2, longitude: 121.4 }"
# idempotencyKey is optional: the only name an error could give away is the suggestion's.
PLACE = (
    "mutation { orderPlace(input: { "
    f'lines: [{LINE}], deliveryAddress: "x", {WHERE}, idempotencyKy: "k"'
    " }) { errors { code } } }"
)
PLACE_VARIABLE = "mutation($i: OrderPlaceInput!) { orderPlace(input: $i) { errors { code } } }"
PLACE_INPUT = {
    "lines": [{"productId": "UHJvZHVjdDox", "quantity": 1}],
    "deliveryAddress": "x",
    "deliveryLocation": {"latitude": 31.2, "longitude": 121.4},
    "idempotencyKy": "k",
}

# Each kind of suggestion graphql-core makes, with the name it would suggest.
KINDS = [
    ("argument", '{ members(serch: "x") { edges { node { id } } } }', None, "'search'"),
    ("type", "query($v: Viewr) { __typename }", None, "'Viewer'"),
    ("enum value", "{ orders(status: PENDNG) { edges { node { id } } } }", None, "'PENDING'"),
    (
        "enum value, in a variable",
        "query($s: OrderStatus) { orders(status: $s) { edges { node { id } } } }",
        {"s": "PENDNG"},
        "'PENDING'",
    ),
    ("input field", PLACE, None, "'idempotencyKey'"),
    ("input field, in a variable", PLACE_VARIABLE, {"i": PLACE_INPUT}, "'idempotencyKey'"),
]


def messages(result: Any) -> str:
    assert result.errors, "the document should have been refused"
    return " ".join(error.message for error in result.errors)


@pytest.fixture(scope="module")
def closed_schema() -> Any:
    return build_schema(introspection=False)


@pytest.mark.parametrize(("kind", "query", "variables", "name"), KINDS, ids=[k[0] for k in KINDS])
async def test_no_suggestion_with_the_explorer_off(
    db, services, closed_schema, kind, query, variables, name
):
    closed = GraphQLClient(closed_schema, services)
    text = messages(await closed.execute(query, variables))
    assert "Did you mean" not in text
    assert name not in text


@pytest.mark.parametrize(("kind", "query", "variables", "name"), KINDS, ids=[k[0] for k in KINDS])
async def test_the_explorer_suggests_what_it_shows_anyway(gql, kind, query, variables, name):
    # The explorer publishes the schema, so a suggestion there gives nothing away.
    assert name in messages(await gql.execute(query, variables))


async def test_no_suggestion_in_a_subscription_with_the_explorer_off(closed_schema):
    stream = await closed_schema.subscribe(
        "subscription($s: ID) { orderOffers(storId: $s) { kind } }", context_value=None
    )
    first = await asyncio.wait_for(anext(stream), 5)
    assert "Did you mean" not in messages(first)

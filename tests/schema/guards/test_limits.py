import asyncio
import gc
import itertools
import time
from typing import Any

import pytest

from schema.root import Limits, build_schema
from tests.conftest import GraphQLClient


def nested(depth: int) -> str:
    # viewer(1) > member(2) > homeStore(3) ... alternating through orders/member to go deep
    body = "id"
    for _ in range(depth):
        body = f"member {{ orders {{ edges {{ node {{ {body} }} }} }} }}"
    return f"{{ viewer {{ {body} }} }}"


async def test_depth_is_limited(gql):
    result = await gql.execute(nested(3))
    assert result.errors
    assert "exceeds maximum operation depth" in result.errors[0].message


async def test_aliases_are_limited(gql):
    query = "{ " + " ".join(f"a{i}: products {{ sku }}" for i in range(16)) + " }"
    result = await gql.execute(query)
    assert result.errors
    assert "aliases" in result.errors[0].message
    fine = "{ " + " ".join(f"a{i}: products {{ sku }}" for i in range(15)) + " }"
    assert (await gql.execute(fine)).errors is None


async def test_tokens_are_limited(gql):
    query = "{ products { " + " ".join(["sku"] * 2100) + " } }"
    result = await gql.execute(query)
    assert result.errors
    assert "token" in result.errors[0].message.lower()


async def test_no_field_suggestions(gql):
    result = await gql.execute("{ prodcts { sku } }")
    assert "Did you mean" not in result.errors[0].message


async def test_introspection_can_be_turned_off(db, services):
    closed = GraphQLClient(build_schema(introspection=False, limits=Limits()), services)
    result = await closed.execute("{ __schema { types { name } } }")
    assert result.errors
    open_ = GraphQLClient(build_schema(), services)
    assert (await open_.execute("{ __schema { queryType { name } } }")).errors is None


async def test_each_refusal_names_its_limit(gql):
    depth = await gql.execute(nested(3))
    aliases = await gql.execute(
        "{ " + " ".join(f"a{i}: products {{ sku }}" for i in range(16)) + " }"
    )
    tokens = await gql.execute("{ products { " + " ".join(["sku"] * 2100) + " } }")
    assert depth.errors[0].extensions["code"] == "DEPTH_LIMIT"
    assert aliases.errors[0].extensions["code"] == "ALIAS_LIMIT"
    assert tokens.errors[0].extensions["code"] == "TOKEN_LIMIT"


async def test_validation_is_cached_across_requests(db, services):
    # The cache keys on the rule classes: they must be the same objects from request to request.
    schema = build_schema()
    client = GraphQLClient(schema, services)
    await client.execute("{ products { sku name } }")
    assert schema.documents is not None
    hits = schema.documents.hits
    await client.execute("{ products { sku name } }")
    assert schema.documents.hits == hits + 1


def fragment_bomb(levels: int, *, on: str = "Query", operation: str = "query{...A0}") -> str:
    """Each fragment spreads the next eight times: ~540 bytes that expand to 8**levels fields."""
    fragments = [
        f"fragment A{i} on {on}{{{' '.join([f'...A{i + 1}'] * 8)}}}" for i in range(levels)
    ]
    return " ".join([operation, *fragments, f"fragment A{levels} on {on}{{__typename}}"])


def cpu_clock() -> float:
    """The CPU time of this process (the worker thread's too): the machine's other load does
    not count, nor (collected here first) the garbage earlier tests left for the collector."""
    gc.collect()
    return time.process_time()


VIEWERS = "{ " + " ".join(["viewer { role }"] * 495) + " }"


def refusal_code(result: Any) -> str | None:
    return result.errors[0].extensions.get("code") if result.errors else None


@pytest.mark.parametrize("levels", [5, 7, 8])
async def test_a_fragment_bomb_is_refused_at_once(gql, levels):
    bomb = fragment_bomb(levels)
    assert len(bomb) < 650
    started = cpu_clock()
    result = await gql.execute(bomb)
    assert time.process_time() - started < 0.05
    assert result.data is None
    assert refusal_code(result) == "COMPLEXITY_LIMIT"
    assert "1,000" in result.errors[0].message
    assert "fragments are expanded" in result.errors[0].message


@pytest.mark.parametrize(
    "query",
    [
        VIEWERS,
        # Each viewer passes, but the 20 merge into one, with 400 roles under it.
        "{ " + " ".join(["viewer { " + " ".join(["role"] * 20) + " }"] * 20) + " }",
        # The repeats come from one fragment spread over and over.
        "{ " + " ".join(["...V"] * 30) + " } fragment V on Query { viewer { role } }",
    ],
)
async def test_a_field_repeated_over_and_over_is_refused(gql, query):
    started = cpu_clock()
    result = await gql.execute(query)
    assert time.process_time() - started < 0.05
    assert refusal_code(result) == "REPEAT_LIMIT"
    assert "more than 20 times" in result.errors[0].message


async def test_the_limits_count_the_expanded_document(db, services):
    # Every selection counts, each fragment's wherever it is spread: here products, sku,
    # ...P, and P's products and sku.
    tight = GraphQLClient(build_schema(limits=Limits(max_selections=5)), services)
    five = "{ products { sku } ...P } fragment P on Query { products { sku } }"
    assert (await tight.execute(five)).errors is None
    six = "{ products { sku name } ...P } fragment P on Query { products { sku } }"
    refused = await tight.execute(six)
    assert refusal_code(refused) == "COMPLEXITY_LIMIT"
    assert "more than 5 selections" in refused.errors[0].message


async def test_repeats_count_where_the_fields_merge(db, services):
    tight = GraphQLClient(build_schema(limits=Limits(max_repeats=2)), services)
    assert (await tight.execute("{ products { sku sku } }")).errors is None
    assert (await tight.execute("{ a: products { sku } b: products { sku } }")).errors is None
    thrice = "{ products { sku } products { name } ...P } fragment P on Query { products { id } }"
    refused = await tight.execute(thrice)
    assert refusal_code(refused) == "REPEAT_LIMIT"
    assert "'products'" in refused.errors[0].message


async def test_an_unused_fragment_is_measured_too(gql):
    # graphql-core validates every fragment, used or not.
    unused = "{ __typename } fragment U on Query { " + " ".join(["viewer { role }"] * 30) + " }"
    assert refusal_code(await gql.execute(unused)) == "REPEAT_LIMIT"


async def test_a_fragment_cycle_is_left_to_validation(gql):
    result = await gql.execute("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
    assert result.errors
    assert "within itself" in result.errors[0].message


async def test_the_fast_path_of_offer_streams_measures_first(schema):
    bomb = fragment_bomb(
        8, on="OrderOfferEvent", operation="subscription { orderOffers { ...A0 } }"
    )
    started = cpu_clock()
    assert await schema.offer_streams.plan(bomb, None) is None
    assert time.process_time() - started < 0.05


async def test_a_subscription_is_measured_too(gql):
    bomb = fragment_bomb(
        8, on="OrderOfferEvent", operation="subscription { orderOffers { ...A0 } }"
    )
    started = cpu_clock()
    stream = await gql.schema.subscribe(bomb, context_value=None)
    first = await asyncio.wait_for(anext(stream), 5)
    assert time.process_time() - started < 0.05
    assert refusal_code(first) == "COMPLEXITY_LIMIT"


async def test_a_slow_document_does_not_hold_the_event_loop(db, services):
    # With the limits lifted, VIEWERS takes a second or so to validate (graphql-core compares
    # each pair of the 495 viewers): meanwhile the loop must go on serving.
    lifted = Limits(max_selections=10**6, max_repeats=10**6, max_tokens=10**5)
    client = GraphQLClient(build_schema(limits=lifted), services)
    done = asyncio.Event()
    ticks = [time.monotonic()]

    async def tick() -> None:
        while not done.is_set():
            await asyncio.sleep(0.005)
            ticks.append(time.monotonic())

    ticker = asyncio.create_task(tick())
    result = await client.execute(VIEWERS)
    ticks.append(time.monotonic())
    done.set()
    await ticker
    elapsed = ticks[-1] - ticks[0]
    longest = max(later - earlier for earlier, later in itertools.pairwise(ticks))
    assert refusal_code(result) is None
    assert elapsed > 0.3, "the document should have been slow to validate"
    # Held, the loop would not tick for the whole validation.
    assert longest < max(0.1, elapsed / 5), (longest, elapsed)

from typing import Any

from strawberry.extensions.validation_cache import _get_validate_cache

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
    client = GraphQLClient(build_schema(), services)
    cache: Any = _get_validate_cache(256)
    await client.execute("{ products { sku name } }")
    hits = cache.cache_info().hits
    await client.execute("{ products { sku name } }")
    assert cache.cache_info().hits == hits + 1

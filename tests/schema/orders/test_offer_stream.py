"""orderOffers' fast path: the same events as executing the document, for the documents it takes."""

import asyncio
from typing import Any

import pytest
import strawberry

from realtime import keys
from schema.core.context import Context
from schema.guards.observability import OperationReport
from schema.root import build_schema
from tests.schema.orders.test_orders import DECLINE, PLACE, place_input, world  # noqa: F401

RICH = """
subscription Offers($storeId: ID) {
  orderOffers(storeId: $storeId) {
    __typename
    what: kind
    kind
    offer { __typename id status offeredAt expiresAt respondedAt reason }
    order {
      id number status total deliveryAddress placedAt acceptedAt
      deliveryLocation { latitude longitude }
      at: deliveryLocation { lat: latitude }
    }
  }
}
"""
APP = "subscription { orderOffers { kind offer { id expiresAt } order { id } } }"


def _context(gql: Any, principal: Any) -> Context:
    return Context.for_token(gql.services, gql.services.tokens.issue(principal))


async def _both(gql: Any, query: str, principal: Any, variables: Any = None) -> tuple[Any, Any]:
    """The stream as served, and as the ordinary path executes it."""
    served = await gql.schema.stream(
        query, variable_values=variables, context_value=_context(gql, principal)
    )
    executed = await strawberry.Schema.stream(
        gql.schema, query, variable_values=variables, context_value=_context(gql, principal)
    )
    return served, executed


async def _next_pair(streams: tuple[Any, Any]) -> tuple[Any, Any]:
    served, executed = streams
    return await asyncio.wait_for(anext(served), 5), await asyncio.wait_for(anext(executed), 5)


async def test_the_documents_store_apps_send_take_the_fast_path(schema):
    streams = schema.offer_streams
    assert await streams.plan(APP, None) is not None
    assert await streams.plan(RICH, "Offers") is not None
    assert await streams.plan(RICH, None) is not None  # the one operation of the document


@pytest.mark.parametrize(
    "query",
    [
        "subscription { orderOffers { order { items { quantity } } } }",  # a resolver
        "subscription { orderOffers { offer { store { code } } } }",  # a resolver
        "subscription { orderOffers { ... on OrderOfferEvent { kind } } }",  # a fragment
        "subscription($x: Boolean!) { orderOffers { kind @include(if: $x) } }",  # a directive
        "subscription { orderOffers { k: kind k: kind } }",  # merged fields
        "subscription { orderOffers { nope } }",  # invalid
        "subscription { ordersUnassigned { id } }",  # another field
        "query { viewer { role } }",  # not a subscription
        "subscription { orderOffers { kind",  # does not parse
        "subscription { a: orderOffers { kind } b: orderOffers { kind } }",  # two fields
    ],
)
async def test_other_documents_are_executed(schema, query):
    assert await schema.offer_streams.plan(query, None) is None


async def test_the_document_limits_hold_on_the_fast_path():
    from schema.guards.limits import Limits

    narrow = build_schema(limits=Limits(max_depth=12, max_aliases=1, max_tokens=2000))
    aliased = "subscription { orderOffers { a: kind b: kind } }"
    assert narrow.offer_streams is not None
    assert await narrow.offer_streams.plan(aliased, None) is None
    closed = build_schema(introspection=False)
    assert closed.offer_streams is not None
    assert await closed.offer_streams.plan(APP, None) is not None


async def test_served_events_equal_executed_ones(gql, world):  # noqa: F811
    first = await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    first_id = first["orderPlace"]["order"]["id"]
    streams = await _both(gql, RICH, world["clerk_a"])
    replayed = await _next_pair(streams)
    assert replayed[0].data["orderOffers"]["order"]["id"] == first_id
    assert replayed[0].data == replayed[1].data
    assert replayed[0].errors is None
    assert replayed[1].errors is None
    await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    live = await _next_pair(streams)
    assert live[0].data["orderOffers"]["kind"] == "OFFERED"
    assert live[0].data == live[1].data
    await gql.data(DECLINE, {"id": first_id, "reason": "closed"}, as_=world["clerk_a"])
    gone = await _next_pair(streams)
    assert gone[0].data["orderOffers"]["kind"] == "WITHDRAWN"
    assert gone[0].data["orderOffers"]["offer"]["reason"] == "closed"
    assert gone[0].data == gone[1].data
    for stream in streams:
        await stream.aclose()
    assert gql.services.bus.subscriber_count == 0


async def test_an_admin_names_the_store_by_variable(gql, world):  # noqa: F811
    from schema.core.relay import to_global_id
    from tests import factories

    await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    admin = factories.as_admin(await factories.admin())
    store = to_global_id("Store", world["stores"][0].id)
    streams = await _both(gql, RICH, admin, {"storeId": store})
    served, executed = await _next_pair(streams)
    assert served.data == executed.data
    assert served.data["orderOffers"]["kind"] == "OFFERED"
    for stream in streams:
        await stream.aclose()


async def test_a_failing_event_is_masked_as_execution_masks_it(gql, world):  # noqa: F811
    streams = await _both(gql, APP, world["clerk_a"])
    waiting = [asyncio.ensure_future(anext(s)) for s in streams]

    async def both_listening() -> bool:
        return gql.services.bus.subscriber_count == 2

    from tests.e2e.server import poll

    await poll(both_listening, timeout=5)
    # Rows that name no columns: rebuilding the offer from them fails.
    broken = {"kind": "OFFERED", "offer": 1, "rows": {"offer": {}, "order": {}}}
    await gql.services.bus.publish(keys.store_events(world["stores"][0].id), broken)
    served, executed = [await asyncio.wait_for(w, 5) for w in waiting]
    assert served.data is None
    assert executed.data is None
    assert served.errors[0].formatted == executed.errors[0].formatted
    assert served.errors[0].extensions["code"] == "INTERNAL_ERROR"
    for stream in streams:
        await stream.aclose()
    assert gql.services.bus.subscriber_count == 0


async def test_the_stream_is_reported_when_it_ends(gql, world):  # noqa: F811
    reports: list[OperationReport] = []
    reporting = build_schema(reporter=reports.append)
    stream: Any = await reporting.stream(APP, context_value=_context(gql, world["clerk_a"]))
    await gql.data(PLACE, place_input(world["product"]), as_=world["member"])
    event = await asyncio.wait_for(anext(stream), 5)
    assert event.data["orderOffers"]["kind"] == "OFFERED"
    assert reports == []
    await stream.aclose()
    assert [(r.operation, r.outcome, r.role) for r in reports] == [
        ("subscription orderOffers", "ok", "CLERK")
    ]


async def test_a_variable_that_does_not_coerce_is_refused_as_execution_refuses_it(gql, world):  # noqa: F811
    served, executed = await _both(gql, RICH, world["clerk_a"], {"storeId": {"not": "an id"}})
    first = await asyncio.wait_for(anext(served), 5)
    expected = await asyncio.wait_for(anext(executed), 5)
    assert first.data is None
    assert first.errors[0].formatted == expected.errors[0].formatted
    assert gql.services.bus.subscriber_count == 0

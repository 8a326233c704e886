"""Schemathesis (GraphQL mode) against a real server: every query and mutation, as four callers.

What counts as a failure: a 5xx, a body that is not JSON, a traceback anywhere, an error a
client cannot act on (``Unexpected error.``: something broke inside, even if masked), or any
unexpected error in the server's log. Expected refusals (sign in first, forbidden, bad input,
a limit) are fine: the fuzzer sends random arguments.

``FUZZ_EXAMPLES`` (default 8) bounds the examples per operation and caller.

The generated values mix in what once broke the server: strings holding control, C1,
text-direction or lone-surrogate characters, decimals that are not numbers or too large,
date-times at the ends of the calendar with ±14:00. Bodies the generator cannot produce (not
an object, not UTF-8, nested 10,000 deep) are sent by ``test_odd_bodies_get_a_json_400``.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
from datetime import UTC, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from domain.seed import ADMIN_PASSWORD, ADMIN_PHONE, MEMBER_PASSWORD, STAFF_PASSWORD, member_phone
from tests.e2e.server import Server
from tests.e2e.ws import PROTOCOL, ws_url

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CALLERS = {
    "anonymous": None,
    "member": (member_phone(1), MEMBER_PASSWORD, "MEMBER"),
    "clerk": ("13800000102", STAFF_PASSWORD, "STAFF"),
    "admin": (ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN"),
}
MASKED = "Unexpected error."

# Characters that names and addresses refuse, and that once reached the database.
ODD_CHARACTERS = ["\x00", "\x1b", "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\ud800"]
ODD_DECIMALS = ["NaN", "sNaN", "-Infinity", "1E+999999999", "9999999999.99", "1.005", "-0"]
ODD_DATETIMES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00",
    "2026-02-30T00:00:00Z",
]

schemathesis.graphql.scalar(
    "String",
    st.one_of(
        st.text(),
        st.tuples(st.text(max_size=8), st.sampled_from(ODD_CHARACTERS), st.text(max_size=8)).map(
            "".join
        ),
    ).map(nodes.String),
)
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(min_value=Decimal(-1_000_000), max_value=Decimal(1_000_000), places=2).map(str),
        st.sampled_from(ODD_DECIMALS),
    ).map(nodes.String),
)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        st.datetimes(
            timezones=st.sampled_from(
                [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))]
            )
        ).map(lambda d: d.isoformat()),
        st.sampled_from(ODD_DATETIMES),
    ).map(nodes.String),
)


def problems_in(status: int, text: str) -> list[str]:
    found = []
    if status >= 500:
        found.append(f"status {status}")
    if "Traceback" in text:
        found.append("traceback in the body")
    try:
        body = json.loads(text)
    except ValueError:
        return [*found, "body is not JSON"]
    for error in body.get("errors") or []:
        if error.get("message") == MASKED:
            found.append("an unexpected (masked) error")
    return found


def outcome(text: str) -> str:
    try:
        errors = json.loads(text).get("errors") or []
    except ValueError:
        return "not-json"
    if not errors:
        return "ok"
    return str((errors[0].get("extensions") or {}).get("code", "invalid"))


LOGIN = (
    "mutation($p: String!, $w: String!, $r: SignInRole!) "
    "{ tokenCreate(phone: $p, password: $w, role: $r) { token } }"
)


def sign_in(url: str, credentials: tuple[str, str, str] | None) -> str | None:
    if credentials is None:
        return None
    phone, password, role = credentials
    answer = httpx.post(
        f"{url}/graphql",
        json={"query": LOGIN, "variables": {"p": phone, "w": password, "r": role}},
    )
    token = answer.json()["data"]["tokenCreate"]["token"]
    assert token, answer.text
    return str(token)


def fuzz(url: str) -> tuple[collections.Counter, list[str]]:
    """Run every operation as every caller; (outcomes seen, problems found)."""
    schema = schemathesis.graphql.from_url(f"{url}/graphql")
    seen: collections.Counter = collections.Counter()
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an unreadable schema fails here
        for caller, credentials in CALLERS.items():
            # Signed in afresh for each operation: a fuzzed tokenRevoke signs its caller out.
            token = sign_in(url, credentials)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            examples(operation, caller, headers, seen, problems)()
    # Every (operation, caller, outcome) with its count, for whoever reads what was tried.
    Path(os.environ.get("TMPDIR", "/tmp"), "o2o-fuzz-report.json").write_text(
        json.dumps([[*key, count] for key, count in sorted(seen.items())], indent=1)
    )
    return seen, problems


def examples(
    operation: Any,
    caller: str,
    headers: dict[str, str],
    seen: collections.Counter,
    problems: list[str],
) -> Any:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(headers=headers, timeout=30)
        seen[(operation.label, caller, outcome(response.text))] += 1
        for problem in problems_in(response.status_code, response.text):
            problems.append(f"{operation.label} as {caller}: {problem}\n{case.body}")

    return run


def logged_failures(server: Server) -> list[str]:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"o2o-e2e-{server.port}.log"
    failures = []
    for line in path.read_text().splitlines():
        if "Traceback" in line and not line.startswith("{"):
            failures.append(line)
        if line.startswith("{") and json.loads(line)["level"] in ("ERROR", "CRITICAL"):
            failures.append(line[:2000])
    return failures


async def test_the_fuzzer_finds_no_server_error(server):
    seen, problems = await asyncio.to_thread(fuzz, server.url)
    report: collections.Counter = collections.Counter()
    for (_label, _caller, result), count in seen.items():
        report[result] += count
    print(
        f"\nfuzz: {sum(seen.values())} requests over {len({k[0] for k in seen})} operations,"
        f" outcomes {dict(report)}"
    )
    assert problems == []
    server.stop()
    assert logged_failures(server) == []


def test_the_oracle_flags_what_it_must():
    assert problems_in(500, "{}") == ["status 500"]
    assert problems_in(200, "<html>") == ["body is not JSON"]
    assert problems_in(200, '{"errors": [{"message": "Unexpected error."}]}') == [
        "an unexpected (masked) error"
    ]
    assert problems_in(200, '{"data": {"x": "Traceback (most recent call last)"}}') == [
        "traceback in the body"
    ]
    assert problems_in(200, '{"errors": [{"message": "Sign in first."}]}') == []


# (what it is, the raw body): none is a GraphQL request a client could mean.
ODD_BODIES = [
    ("a JSON string", b'"{ products { sku } }"'),
    ("a JSON number", b"42"),
    ("JSON null", b"null"),
    ("JSON true", b"true"),
    ("a JSON array (batching is off)", b'[{"query": "{ products { sku } }"}]'),
    ("not UTF-8", b'{"query": "{ products { sku } }", "variables": {"x": "\xff\xfe"}}'),
    ("UTF-16", '{"query": "{ products { sku } }"}'.encode("utf-16")),
    (
        "10,000 nested [ in variables",
        b'{"query": "{ products { sku } }", "variables": {"x": '
        + b"[" * 10_000
        + b"]" * 10_000
        + b"}}",
    ),
    ("10,000 nested [ alone", b"[" * 10_000 + b"]" * 10_000),
    (
        "10,000 nested { in variables",
        b'{"query": "{ products { sku } }", "variables": '
        + b'{"a":' * 10_000
        + b"1"
        + b"}" * 10_000
        + b"}",
    ),
    (
        "a lone surrogate in a variable",
        b'{"query": "mutation($p: String!) { tokenCreate(phone: $p, password: $p) { token } }",'
        b' "variables": {"p": "x\\ud800"}}',
    ),
    ("a lone surrogate in the query", b'{"query": "{ products { sku \\udc00 } }"}'),
    (
        "a number too large for a double",
        b'{"query": "{ products { sku } }", "variables": {"x": 1e400}}',
    ),
    ("NaN", b'{"query": "{ products { sku } }", "variables": {"x": NaN}}'),
    ("truncated", b'{"query": "{ products { sku } }"'),
    ("empty", b""),
]


async def test_odd_bodies_get_a_json_400(server):
    """Each once gave a 500 from inside the view (and a traceback in the log), or plain text."""
    async with httpx.AsyncClient(timeout=30) as client:
        for what, body in ODD_BODIES:
            response = await client.post(
                f"{server.url}/graphql", content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code == 400, (what, response.status_code, response.text)
            assert problems_in(response.status_code, response.text) == [], what
            (error,) = response.json()["errors"]
            assert error["extensions"]["code"] == "BAD_REQUEST", (what, error)
            assert error["message"], what
        still = await client.post(f"{server.url}/graphql", json={"query": "{ products { sku } }"})
        assert still.status_code == 200
    for message in ODD_SOCKET_MESSAGES:
        async with connect(ws_url(server.url), subprotocols=[PROTOCOL]) as conn:  # type: ignore[list-item]
            await conn.send(message)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(conn.recv(), 10)
            assert conn.close_code == 4400, message[:40]
    server.stop()
    assert logged_failures(server) == []


# Text frames a graphql-transport-ws client might send: each closes the socket with 4400.
ODD_SOCKET_MESSAGES = [
    '"connection_init"',
    "null",
    "[]",
    "[" * 10_000 + "]" * 10_000,
    '{"type": "connection_init", "payload": ' + '{"a":' * 10_000 + "1" + "}" * 10_001,
    '{"type": "connection_init", "payload": {"x": "\\ud800"}}',
]

GZ = {"latitude": 23.1375, "longitude": 113.3238}
STORE_CREATE = """
mutation($i: StoreCreateInput!) { storeCreate(input: $i) { store { id } errors { code field } } }
"""
PRODUCT_CREATE = """
mutation($i: ProductCreateInput!) {
  productCreate(input: $i) { product { id } errors { code field } }
}
"""
CAMPAIGN_CREATE = """
mutation($i: CampaignCreateInput!) {
  campaignCreate(input: $i) { campaign { id } errors { code field } }
}
"""
ORDER_PLACE = """
mutation($i: OrderPlaceInput!) { orderPlace(input: $i) { order { id } errors { code field } } }
"""
MY_ORDERS = "{ orders(first: 100) { edges { node { id } } } }"
COUNTS = "{ stores(first: 100) { edges { node { id } } } products { id } campaigns { id } }"


def store_input(**change: Any) -> dict[str, Any]:
    base = {"code": "ODD-1", "name": "Odd", "address": "1 Road", "location": GZ}
    return {"i": base | change}


async def test_odd_values_are_invalid_naming_the_field(server):
    """Over real HTTP, on the server's own database (PostgreSQL on the services pass)."""
    admin = sign_in(server.url, CALLERS["admin"])
    member = sign_in(server.url, CALLERS["member"])
    before = await server.graphql(COUNTS, token=admin)
    orders_before = await server.graphql(MY_ORDERS, token=member)
    refused: list[tuple[str, dict[str, Any], str, str]] = [
        (STORE_CREATE, store_input(name="Li\x85Ming"), "storeCreate", "name"),
        (STORE_CREATE, store_input(name="abc\u202etxt.exe"), "storeCreate", "name"),
        (STORE_CREATE, store_input(address="1 Road\u2066"), "storeCreate", "address"),
        (
            PRODUCT_CREATE,
            {"i": {"sku": "ODD-1", "name": "Odd", "price": "1.00", "pointsPerYuan": "NaN"}},
            "productCreate",
            "pointsPerYuan",
        ),
        (
            CAMPAIGN_CREATE,
            {
                "i": {
                    "name": "Odd",
                    "multiplier": "2",
                    "startsAt": "0001-01-01T00:00:00+14:00",
                    "endsAt": "2030-01-01T00:00:00+00:00",
                }
            },
            "campaignCreate",
            "startsAt",
        ),
    ]
    for query, variables, payload, field in refused:
        answer = await server.graphql(query, variables, token=admin)
        assert "errors" not in answer, (payload, answer)
        assert answer["data"][payload]["errors"] == [{"code": "INVALID", "field": field}]
    dear = await server.graphql(
        PRODUCT_CREATE,
        {"i": {"sku": "DEAR", "name": "Dear", "price": "9999999999.99"}},
        token=admin,
    )
    product = dear["data"]["productCreate"]["product"]["id"]
    order = {
        "i": {
            "lines": [{"productId": product, "quantity": 2}],
            "deliveryAddress": "1 Customer Road",
            "deliveryLocation": GZ,
        }
    }
    two = await server.graphql(ORDER_PLACE, order, token=member)
    assert two["data"]["orderPlace"] == {
        "order": None,
        "errors": [{"code": "INVALID", "field": "lines"}],
    }
    after = await server.graphql(COUNTS, token=admin)
    assert len(after["data"]["products"]) == len(before["data"]["products"]) + 1
    assert after["data"]["stores"] == before["data"]["stores"]
    assert after["data"]["campaigns"] == before["data"]["campaigns"]
    assert await server.graphql(MY_ORDERS, token=member) == orders_before
    server.stop()
    assert logged_failures(server) == []

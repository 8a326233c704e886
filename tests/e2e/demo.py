"""Demo servers for the store app tests, and the API calls the tests make beside the apps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from domain.seed import (
    ADMIN_PASSWORD,
    ADMIN_PHONE,
    MEMBER_PASSWORD,
    STAFF_PASSWORD,
    STORES,
    member_phone,
)
from tests import backends
from tests.backends import Backend
from tests.e2e.server import Server, o2o

LOGIN = """
mutation($phone: String!, $password: String!, $role: SignInRole!) {
  tokenCreate(phone: $phone, password: $password, role: $role) { token errors { code } }
}"""
PLACE = """
mutation($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id number } errors { code message } }
}"""
ORDER = """
query($id: ID!) {
  order(id: $id) { status store { code } offers { status reason store { code } } }
}"""


@asynccontextmanager
async def running_server(
    backend: Backend, tmp: Path, *args: str, **env: str
) -> AsyncIterator[Server]:
    """A migrated, seeded `o2o serve` on a free port; its own database, dropped afterwards."""
    if backend.is_postgres:
        url = await backends.create_postgres_database("o2o_browser")
    else:
        url = backends.sqlite_url(tmp)
    settings = {
        "DATABASE_URL": url,
        "REDIS_URL": backend.redis_url,
        "SECRET_KEY": "browser-secret-key-that-is-long-enough",
        # Every test server signs in from 127.0.0.1 against one Redis database for the whole
        # run: the per-address budget is proven in tests/schema/guards/test_rate_limits.py instead.
        "LOGIN_ATTEMPTS_PER_ADDRESS": "0",
        **env,
    }
    o2o(["migrate"], settings)
    o2o(["seed", "--demo"], settings)
    server = Server(env=settings)
    await server.start(*args)
    try:
        yield server
    finally:
        server.stop()
        if backend.is_postgres:
            await backends.drop_postgres_database(url)


def clerk_phone(store: int) -> str:
    """The demo clerk of store ``store`` (1-10)."""
    return f"1380000{store:02d}02"


async def token(server: Server, phone: str, password: str, role: str = "MEMBER") -> str:
    """A token for the phone's ``role`` account: MEMBER, STAFF or ADMIN."""
    data = await server.graphql(LOGIN, {"phone": phone, "password": password, "role": role})
    value: str = data["data"]["tokenCreate"]["token"]
    assert value, data
    return value


async def clerk_token(server: Server, store: int) -> str:
    return await token(server, clerk_phone(store), STAFF_PASSWORD, "STAFF")


async def place_order(server: Server, store: int, qty: int = 2) -> dict[str, Any]:
    """An order by a member of store ``store``, 1.1 km north of the store: offered to it."""
    member = await token(server, member_phone(store), MEMBER_PASSWORD)
    products = await server.graphql("{ products { id } }")
    _code, _name, address, latitude, longitude, _radius = STORES[store - 1]
    data = await server.graphql(
        PLACE,
        {
            "input": {
                "lines": [{"productId": products["data"]["products"][0]["id"], "quantity": qty}],
                "deliveryAddress": f"Flat 1, {address}",
                "deliveryLocation": {"latitude": latitude + 0.01, "longitude": longitude},
            }
        },
        member,
    )
    payload = data["data"]["orderPlace"]
    assert payload["errors"] == [], payload
    order: dict[str, Any] = payload["order"]
    return order


async def order_now(server: Server, order_id: str) -> dict[str, Any]:
    """The order as an admin reads it through the API."""
    admin = await token(server, ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN")
    data = await server.graphql(ORDER, {"id": order_id}, admin)
    found: dict[str, Any] = data["data"]["order"]
    return found


STORE_IDS = "{ stores(first: 20) { edges { node { id code } } } }"
DISTRIBUTOR_CREATE = """
mutation($input: DistributorCreateInput!) {
  distributorCreate(input: $input) { distributor { id } errors { code message } }
}"""
PURCHASE_RECORD = """
mutation($input: PurchaseRecordInput!) {
  purchaseRecord(input: $input) {
    serials { code kind alertId }
    errors { code message }
  }
}"""


async def create_distributor(server: Server, code: str, store_codes: list[str]) -> str:
    """A distributor supplying the demo stores ``store_codes``, made by the admin; its id."""
    admin = await token(server, ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN")
    stores = await server.graphql(STORE_IDS, token=admin)
    ids = {e["node"]["code"]: e["node"]["id"] for e in stores["data"]["stores"]["edges"]}
    data = await server.graphql(
        DISTRIBUTOR_CREATE,
        {
            "input": {
                "code": code,
                "name": f"{code} Trading",
                "storeIds": [ids[c] for c in store_codes],
            }
        },
        admin,
    )
    payload = data["data"]["distributorCreate"]
    assert payload["errors"] == [], payload
    distributor_id: str = payload["distributor"]["id"]
    return distributor_id


async def counter_sale(server: Server, store: int, serials: list[str], key: str) -> dict[str, Any]:
    """A sale of len(serials) units of FORMULA-S1 at store ``store``'s counter, by its clerk,
    to the member whose home store it is, with ``serials`` scanned; the payload."""
    clerk = await clerk_token(server, store)
    found = await server.graphql(
        "query($p: String!) { memberByPhone(phone: $p) { id } products { id sku } }",
        {"p": member_phone(store)},
        clerk,
    )
    product = next(p for p in found["data"]["products"] if p["sku"] == "FORMULA-S1")
    data = await server.graphql(
        PURCHASE_RECORD,
        {
            "input": {
                "memberId": found["data"]["memberByPhone"]["id"],
                "lines": [{"productId": product["id"], "quantity": len(serials)}],
                "idempotencyKey": key,
                "serials": serials,
            }
        },
        clerk,
    )
    payload: dict[str, Any] = data["data"]["purchaseRecord"]
    assert payload["errors"] == [], payload
    return payload

"""The GraphQL API over HTTP, as the consumer app and the store app call it."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Sequence
from typing import Any

from benchmarks.http import JsonClient

LOGIN = """mutation Login($phone: String!, $password: String!, $role: SignInRole!) {
  tokenCreate(phone: $phone, password: $password, role: $role) { token errors { code message } }
}"""

PLACE = """mutation Place($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id } errors { code message } }
}"""


# The longest a request may take in all (waiting for a connection included); then it fails.
REQUEST_LIMIT = 30.0


class ApiError(RuntimeError):
    """An answer that is not the success the benchmark expects."""


def global_id(type_name: str, pk: int) -> str:
    """A Relay global id as the API spells it (``base64("Type:pk")``)."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode()


class Api:
    def __init__(
        self, base_url: str, *, connections: int = 256, request_limit: float = REQUEST_LIMIT
    ) -> None:
        self._limit = request_limit
        self._http = JsonClient(base_url, connections=connections)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def graphql(
        self, query: str, variables: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with asyncio.timeout(self._limit):  # waiting for a connection included
            status, raw = await self._http.post(
                "/graphql", {"query": query, "variables": variables}, headers
            )
        if status != 200:
            raise ApiError(f"HTTP {status}: {raw[:300].decode(errors='replace')}")
        body: dict[str, Any] = json.loads(raw)
        if body.get("errors"):
            raise ApiError(f"GraphQL errors: {body['errors']}")
        data: dict[str, Any] = body["data"]
        return data

    async def login(self, phone: str, password: str, role: str = "MEMBER") -> str:
        """A token for the phone's ``role`` account: MEMBER, STAFF or ADMIN."""
        variables = {"phone": phone, "password": password, "role": role}
        data = await self.graphql(LOGIN, variables)
        payload = data["tokenCreate"]
        if payload["errors"] or not payload["token"]:
            raise ApiError(f"tokenCreate {phone}: {payload['errors']}")
        return str(payload["token"])

    async def login_all(
        self, phones: Sequence[str], password: str, *, role: str = "MEMBER", concurrency: int = 8
    ) -> list[str]:
        """A token for every phone (tokenCreate over HTTP, ``concurrency`` at a time)."""
        gate = asyncio.Semaphore(concurrency)

        async def one(phone: str) -> str:
            async with gate:
                return await self.login(phone, password, role)

        return list(await asyncio.gather(*(one(p) for p in phones)))

    async def place(self, token: str, product: str, point: tuple[float, float]) -> str:
        """Place a one-line order delivered to ``point``; the order's global id."""
        data = await self.graphql(
            PLACE,
            {
                "input": {
                    "lines": [{"productId": product, "quantity": 1}],
                    "deliveryAddress": "Benchmark Rd 1, Guangzhou",
                    "deliveryLocation": {"latitude": point[0], "longitude": point[1]},
                }
            },
            token,
        )
        payload = data["orderPlace"]
        if payload["errors"] or payload["order"] is None:
            raise ApiError(f"orderPlace: {payload['errors']}")
        return str(payload["order"]["id"])

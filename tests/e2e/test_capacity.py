"""Many callers at once wait their turn for a pooled connection: none is told the service is
down, and /healthz does not say so either while the database and Redis answer."""

import asyncio
from contextlib import AsyncExitStack

import httpx

from domain.seed import MEMBER_PASSWORD, STAFF_PASSWORD, member_phone
from tests.e2e.demo import clerk_phone
from tests.e2e.server import poll
from tests.e2e.test_http import login
from tests.e2e.ws import graphql_socket, ws_url

VIEWER = "{ viewer { role member { name pointsBalance homeStore { code } } } }"
CONCURRENT = 200
SOCKETS, PER_SOCKET = 100, 20


async def test_many_concurrent_signed_in_requests_all_succeed(server):
    token = await login(server, member_phone(1), MEMBER_PASSWORD)
    limits = httpx.Limits(max_connections=CONCURRENT, max_keepalive_connections=CONCURRENT)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def viewer() -> dict:
            answer = await client.post(
                f"{server.url}/graphql",
                json={"query": VIEWER},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 200, answer.text
            return answer.json()

        answers = await asyncio.gather(*(viewer() for _ in range(CONCURRENT)))
    failed = [a["errors"] for a in answers if a.get("errors")]
    assert failed == [], f"{len(failed)} of {CONCURRENT} failed, e.g. {failed[0]}"
    assert all(a["data"]["viewer"]["role"] == "MEMBER" for a in answers)


async def test_healthz_stays_200_while_thousands_of_subscriptions_open(server):
    clerk = await login(server, clerk_phone(1), STAFF_PASSWORD, "STAFF")
    health: list[tuple[int, dict]] = []

    async with httpx.AsyncClient(timeout=30) as client:

        async def check() -> int:
            answer = await client.get(f"{server.url}/healthz")
            health.append((answer.status_code, answer.json()))
            return int(answer.json()["subscriptions"])

        async with AsyncExitStack() as stack:

            async def open_socket() -> None:
                socket = await stack.enter_async_context(graphql_socket(ws_url(server.url), clerk))
                for _ in range(PER_SOCKET):
                    await socket.subscribe("subscription { orderOffers { kind offer { id } } }")

            opening = asyncio.gather(*(open_socket() for _ in range(SOCKETS)))

            async def all_open() -> bool:
                return await check() >= SOCKETS * PER_SOCKET

            try:
                await poll(all_open, timeout=120, interval=0.1)
            finally:
                await opening
    unhealthy = [body for status, body in health if status != 200]
    assert unhealthy == [], f"{len(unhealthy)} of {len(health)} health checks failed"

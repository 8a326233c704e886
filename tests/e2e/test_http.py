"""The demo as a new user meets it: a real server, real HTTP."""

import subprocess
import sys

import httpx

from domain.seed import ADMIN_PASSWORD, ADMIN_PHONE, MEMBER_PASSWORD, member_phone
from tests.e2e.server import ROOT, Server
from tests.test_schema_file import CONTRACT

LOGIN = """
mutation($phone: String!, $password: String!, $role: SignInRole!) {
  tokenCreate(phone: $phone, password: $password, role: $role) { token errors { code } }
}
"""


async def login(server: Server, phone: str, password: str, role: str = "MEMBER") -> str:
    """A token for the phone's ``role`` account: MEMBER, STAFF or ADMIN."""
    data = await server.graphql(LOGIN, {"phone": phone, "password": password, "role": role})
    token = data["data"]["tokenCreate"]["token"]
    assert token, data
    return token


async def test_the_demo_answers_over_http(server):
    async with httpx.AsyncClient() as client:
        health = await client.get(f"{server.url}/healthz")
        assert (health.status_code, health.json()["status"]) == (200, "ok")
        page = await client.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()
    admin = await login(server, ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN")
    data = await server.graphql(
        "{ viewer { role } stores(near: {latitude: 23.1375, longitude: 113.3238}, first: 3) "
        "{ edges { node { code } } } members(first: 5) { edges { node { homeStore { code } } } } }",
        token=admin,
    )
    assert data["data"]["viewer"] == {"role": "ADMIN"}
    assert data["data"]["stores"]["edges"][0]["node"]["code"] == "GZ-TH01"
    assert len(data["data"]["members"]["edges"]) == 5
    member = await login(server, member_phone(1), MEMBER_PASSWORD)
    me = await server.graphql("{ viewer { member { homeStore { code } } } }", token=member)
    assert me["data"]["viewer"]["member"]["homeStore"] == {"code": "GZ-TH01"}


async def test_the_contract_check_finds_no_breaking_change(server):
    proc = subprocess.run(
        [
            sys.executable,
            str(CONTRACT.parent.parent / "tools" / "check_contract.py"),
            f"{server.url}/graphql",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "0 breaking change(s) against the contract"


async def test_bad_requests_are_4xx_never_5xx(server):
    async with httpx.AsyncClient() as client:
        cases = [
            client.post(
                f"{server.url}/graphql",
                content=b"{not json",
                headers={"content-type": "application/json"},
            ),
            client.post(f"{server.url}/graphql", json={"nothing": 1}),
            client.post(
                f"{server.url}/graphql", json={"query": "{ products { sku } }", "variables": "x"}
            ),
            client.get(
                f"{server.url}/graphql?query={{products{{sku}}}}",
                headers={"Accept": "application/json"},
            ),
            client.post(f"{server.url}/graphql", json={"query": "{"}),
        ]
        for request in cases:
            response = await request
            assert response.status_code < 500, response.text
            assert "Traceback" not in response.text

"""Logs, metrics and health as an operator meets them, on a real server."""

import json
import os
import re
from pathlib import Path

import httpx

from domain.seed import MEMBER_PASSWORD, member_phone
from tests.e2e.server import METRICS_TOKEN, Server
from tests.e2e.test_http import login
from tests.e2e.test_realtime import place_order

WRONG_PASSWORD = "not-the-password-1"


def log_entries(server: Server) -> tuple[str, list[dict]]:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"o2o-e2e-{server.port}.log"
    text = path.read_text()
    entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return text, entries


def sample(metrics: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(f"{name}{{{wanted}}}" if labels else name) + r" ([0-9.e+]+)"
    found = re.search(r"^" + pattern + "$", metrics, re.MULTILINE)
    assert found, f"{name} {labels} not in /metrics"
    return float(found.group(1))


async def test_logs_carry_the_request_and_never_a_secret(server):
    phone = member_phone(1)
    token = await login(server, phone, MEMBER_PASSWORD)
    await server.graphql(
        f'mutation {{ tokenCreate(phone: "{phone}", password: "{WRONG_PASSWORD}") {{ token }} }}'
    )
    async with httpx.AsyncClient() as client:
        broken = await client.post(
            f"{server.url}/graphql",
            json={
                "query": f'mutation {{ tokenCreate(phone: "{phone}", password: "{WRONG_PASSWORD}" '
            },
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "trace-42"},
        )
    assert broken.headers["x-request-id"] == "trace-42"
    await server.graphql("{ viewer { role } }", token=token)
    server.stop()
    text, entries = log_entries(server)
    for secret in (phone, MEMBER_PASSWORD, WRONG_PASSWORD, token):
        assert secret not in text
    requests = [e for e in entries if e["logger"] == "o2o.request"]
    sign_ins = [e for e in requests if e["operation"] == "mutation tokenCreate"]
    assert len(sign_ins) == 2
    assert all(e["request_id"] and e["duration_ms"] >= 0 for e in requests)
    viewer = next(e for e in requests if e["operation"] == "query viewer")
    assert (viewer["role"], viewer["outcome"], viewer["status"]) == ("MEMBER", "ok", 200)
    assert any(e.get("request_id") == "trace-42" for e in entries)


async def scrape(server: Server, token: str | None = METRICS_TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient() as client:
        return await client.get(f"{server.url}/metrics", headers=headers)


async def test_metrics_answer_only_the_scraper_with_the_token(server, fresh_env):
    assert (await scrape(server)).status_code == 200
    for wrong in (None, "not-the-token", METRICS_TOKEN + "x", METRICS_TOKEN[:-1]):
        refused = await scrape(server, wrong)
        assert refused.status_code == 401, wrong
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert "o2o_" not in refused.text
    async with httpx.AsyncClient() as client:
        basic = await client.get(f"{server.url}/metrics", auth=("scraper", METRICS_TOKEN))
    assert basic.status_code == 401
    unset = Server(env=fresh_env | {"METRICS_TOKEN": ""})
    await unset.start()
    try:
        for token in (None, METRICS_TOKEN, ""):
            off = await scrape(unset, token)
            assert off.status_code == 403, token
            assert "METRICS_TOKEN" in off.text
    finally:
        unset.stop()


async def test_metrics_count_operations_offers_and_deadlines(server):
    token = await login(server, member_phone(1), MEMBER_PASSWORD)
    # The database is this test's own, and the Redis database was emptied for it (fresh_env).
    waiting_before = sample(
        (await scrape(server)).text, "o2o_deadline_queue_depth", state="waiting"
    )
    await place_order(server, token)
    await server.graphql("{ orders { edges { node { id } } } }")  # anonymous: refused
    response = await scrape(server)
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        sample(text, "o2o_graphql_operations_total", operation="mutation orderPlace", outcome="ok")
        == 1
    )
    assert (
        sample(
            text,
            "o2o_graphql_operations_total",
            operation="query orders",
            outcome="UNAUTHENTICATED",
        )
        == 1
    )
    assert sample(text, "o2o_graphql_operation_seconds_count", operation="mutation orderPlace") == 1
    assert sample(text, "o2o_offers_made_total") == 1
    assert sample(text, "o2o_offers_pending") == 1
    assert sample(text, "o2o_offers_ended_total", status="EXPIRED") == 0
    assert sample(text, "o2o_offers_rerouted_total") == 0
    assert sample(text, "o2o_orders_unassigned") == 0
    assert sample(text, "o2o_deadline_queue_depth", state="waiting") == waiting_before + 1
    assert sample(text, "o2o_deadline_lateness_seconds") >= 0
    assert sample(text, "o2o_subscriptions_open") == 0


async def test_live_and_ready_are_told_apart(server):
    async with httpx.AsyncClient() as client:
        live = await client.get(f"{server.url}/healthz/live")
        ready = await client.get(f"{server.url}/healthz/ready")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()["database"], ready.json()["redis"]) == (200, "ok", "ok")

"""5. Loyalty: purchaseRecord throughput and p99; redemptions per second on one member.

A fresh database with the demo seed (10 stores, 36 members, 7 products, 5 rewards) behind one
``o2o serve``. Purchases: the Tianhe clerk records counter sales (1-3 lines) for members
picked in turn, ``CONCURRENCY`` requests in flight (a closed loop), each with its own
idempotency key. Redemptions: one member holds points for every redemption, and
``CONCURRENCY`` requests at a time redeem the cheapest reward for that one member, so every
request contends for the same row. At the end the ledger is checked on the database:
for every member, balance = sum of entries >= 0, and one entry per key.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass
from typing import Any

import asyncpg

from benchmarks.client import Api, global_id
from benchmarks.load import closed_loop
from benchmarks.report import Report, progress
from benchmarks.services import O2O, ROOT, SECRET_KEY, running_server
from benchmarks.stats import Summary

CLERK = "13800000102"
STAFF_PASSWORD = "staff-demo-1"
PURCHASE = """mutation($input: PurchaseRecordInput!) {
  purchaseRecord(input: $input) { entry { id } errors { code message } }
}"""
REDEEM = """mutation($input: PointsRedeemInput!) {
  pointsRedeem(input: $input) { entry { id } errors { code message } }
}"""


@dataclass(frozen=True)
class Scale:
    purchases: int
    redemptions: int
    concurrency: int


FULL = Scale(purchases=3000, redemptions=1000, concurrency=16)
QUICK = Scale(purchases=300, redemptions=100, concurrency=16)


@dataclass(frozen=True)
class Demo:
    members: list[int]
    products: list[int]
    reward: int
    reward_cost: int


async def seed(dsn: str) -> Demo:
    env = {
        **os.environ,
        "DATABASE_URL": dsn.replace("postgresql://", "postgres://", 1),
        "SECRET_KEY": SECRET_KEY,  # required by every command outside the embedded demo
    }
    proc = await asyncio.create_subprocess_exec(
        *O2O, "seed", "--demo", env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL
    )
    if await proc.wait() != 0:
        raise RuntimeError("o2o seed --demo failed")
    conn = await asyncpg.connect(dsn)
    try:
        members = [r["id"] for r in await conn.fetch("SELECT id FROM member ORDER BY id")]
        products = [r["id"] for r in await conn.fetch("SELECT id FROM product ORDER BY id")]
        reward = await conn.fetchrow("SELECT id, points_cost FROM reward ORDER BY points_cost")
    finally:
        await conn.close()
    return Demo(members, products, reward["id"], reward["points_cost"])


async def fund(dsn: str, member: int, points: int) -> None:
    """Give one member ``points`` as a ledger entry with its balance (as an adjustment)."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            balance = await conn.fetchval(
                "UPDATE member SET points_balance = points_balance + $1 WHERE id = $2 "
                "RETURNING points_balance",
                points,
                member,
            )
            await conn.execute(
                "INSERT INTO points_entry (member_id, delta, balance_after, kind, note, "
                "created_at) VALUES ($1, $2, $3, 'ADJUSTMENT', 'benchmark funds', now())",
                member,
                points,
                balance,
            )
    finally:
        await conn.close()


async def ledger_faults(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT m.id, m.points_balance, COALESCE(SUM(e.delta), 0) AS total "
            "FROM member m LEFT JOIN points_entry e ON e.member_id = m.id GROUP BY m.id"
        )
        keys = await conn.fetchval("SELECT count(*) FROM idempotency_key")
        keyed = await conn.fetchval(
            "SELECT count(*) FROM points_entry WHERE kind IN ('PURCHASE', 'REDEMPTION')"
        )
    finally:
        await conn.close()
    faults = [
        f"member {r['id']}: balance {r['points_balance']} != entries {r['total']}"
        for r in rows
        if r["points_balance"] != r["total"] or r["points_balance"] < 0
    ]
    if keys != keyed:
        faults.append(f"{keys} keys for {keyed} keyed entries")
    return faults


async def measure(total: int, concurrency: int, call: Any) -> tuple[Summary, float, list[str]]:
    took: list[float] = []
    failures: list[str] = []

    async def fire(i: int) -> None:
        started = time.perf_counter()
        try:
            errors = await call(i)
        except Exception as exc:
            failures.append(str(exc)[:200])
            return
        if errors:
            failures.append(str(errors)[:200])
            return
        took.append((time.perf_counter() - started) * 1000)

    pacing = await closed_loop(total, concurrency, fire)
    return Summary.of(took), len(took) / pacing.elapsed, failures


async def run(quick: bool) -> Report:
    scale = QUICK if quick else FULL
    report = Report("5. Loyalty: purchaseRecord and pointsRedeem")
    holder: dict[str, str] = {}

    async def seeded(dsn: str) -> Demo:
        holder["dsn"] = dsn
        return await seed(dsn)

    async with running_server(offer_timeout=3600, seed=seeded) as (server, demo):
        dsn = holder["dsn"]
        api = Api(server.url, connections=scale.concurrency * 2)
        try:
            clerk = await api.login(CLERK, STAFF_PASSWORD, "STAFF")
            rng = random.Random(5)

            async def purchase(i: int) -> Any:
                lines = [
                    {"productId": global_id("Product", p), "quantity": rng.randint(1, 3)}
                    for p in rng.sample(demo.products, rng.randint(1, 3))
                ]
                member = demo.members[i % len(demo.members)]
                variables = {
                    "input": {
                        "memberId": global_id("Member", member),
                        "lines": lines,
                        "idempotencyKey": f"bench-p{i}",
                    }
                }
                data = await api.graphql(PURCHASE, variables, clerk)
                return data["purchaseRecord"]["errors"]

            progress(f"loyalty: {scale.purchases} purchaseRecord, {scale.concurrency} in flight")
            await measure(min(50, scale.purchases), 4, lambda i: purchase(100_000 + i))  # warm-up
            cpu = server.cpu_seconds()
            bought, rate, failed = await measure(scale.purchases, scale.concurrency, purchase)
            cpu = (server.cpu_seconds() - cpu) / max(1, bought.count) * 1000
            report.add("purchaseRecord throughput", f"{rate:.0f}/s")
            report.add("server CPU per purchaseRecord", f"{cpu:.1f} ms")
            report.add("purchaseRecord latency", bought.ms())
            report.note(f"purchaseRecord: {bought.count} ok, {len(failed)} failed {failed[:3]}")

            target = demo.members[0]
            await fund(dsn, target, demo.reward_cost * scale.redemptions)

            async def redeem(i: int) -> Any:
                variables = {
                    "input": {
                        "memberId": global_id("Member", target),
                        "rewardId": global_id("Reward", demo.reward),
                        "channel": "STORE",
                        "idempotencyKey": f"bench-r{i}",
                    }
                }
                data = await api.graphql(REDEEM, variables, clerk)
                return data["pointsRedeem"]["errors"]

            progress(f"loyalty: {scale.redemptions} pointsRedeem on one member")
            cpu = server.cpu_seconds()
            spent, rate, failed = await measure(scale.redemptions, scale.concurrency, redeem)
            cpu = (server.cpu_seconds() - cpu) / max(1, spent.count) * 1000
            report.add("pointsRedeem on one member", f"{rate:.0f}/s")
            report.add("server CPU per pointsRedeem", f"{cpu:.1f} ms")
            report.add("pointsRedeem latency", spent.ms())
            report.note(f"pointsRedeem: {spent.count} ok, {len(failed)} failed {failed[:3]}")
        finally:
            await api.aclose()
        faults = await ledger_faults(dsn)
        report.add(
            "ledger check",
            "consistent" if not faults else f"{len(faults)} faults",
            "balance = sum of entries",
            not faults,
        )
        report.details.extend(faults[:10])
    return report

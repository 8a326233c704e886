"""The ledger under contention: concurrent redemptions, racing keys, and the bank-style check
with several real processes (PostgreSQL)."""

import asyncio
import json
import os
import sys
from collections import Counter, defaultdict

import pytest

from domain.enums import Channel
from domain.errors import DomainError, ErrorCode
from domain.loyalty import record_purchase, redeem_points
from domain.loyalty.models import IdempotencyKey, PointsEntry
from domain.people.models import Member
from domain.stores.lines import Line
from tests import factories
from tests.e2e.server import ROOT

BANK_SECONDS = float(os.environ.get("O2O_BANK_SECONDS", "30"))
BANK_PROCESSES = int(os.environ.get("O2O_BANK_PROCESSES", "4"))


@pytest.fixture
async def shop(db):
    store = await factories.store()
    return {
        "store": store,
        "clerk": factories.as_staff(await factories.staff(store)),
        "members": [await factories.member() for _ in range(3)],
        "products": [
            await factories.product("49.90"),
            await factories.product("198.00", member_pack=True),
        ],
        "reward": await factories.reward(400),
    }


async def give(member, points):
    await Member.filter(id=member.id).update(points_balance=points)
    await PointsEntry.create(member_id=member.id, delta=points, balance_after=points, kind="BONUS")


async def test_fifty_concurrent_redemptions_of_ten_covered_exactly_ten_succeed(shop, dispatch):
    member = shop["members"][0]
    await give(member, 10 * shop["reward"].points_cost)

    async def one(i):
        try:
            await redeem_points(
                shop["clerk"],
                dispatch.now(),
                member_id=member.id,
                reward_id=shop["reward"].id,
                channel=Channel.STORE,
                key=f"r{i}",
            )
        except DomainError as exc:
            return exc.code
        return "OK"

    results = await asyncio.gather(*(one(i) for i in range(50)))
    assert results.count("OK") == 10
    assert results.count(ErrorCode.INSUFFICIENT_POINTS) == 40
    assert (await Member.get(id=member.id)).points_balance == 0
    assert await PointsEntry.filter(member_id=member.id, kind="REDEMPTION").count() == 10
    assert await IdempotencyKey.all().count() == 10


async def test_racing_repeats_of_one_key_apply_it_once(shop, dispatch):
    member = shop["members"][0]
    lines = [Line(shop["products"][1].id, 6)]
    results = await asyncio.gather(
        *(
            record_purchase(
                shop["clerk"], dispatch.now(), member_id=member.id, lines=lines, key="same"
            )
            for _ in range(20)
        )
    )
    assert len({r.entry.id for r in results}) == 1
    assert [r.repeated for r in results].count(False) == 1
    assert (await Member.get(id=member.id)).points_balance == 1188
    assert await PointsEntry.all().count() == 1


async def test_bank_style_processes_never_lose_or_double_a_point(shop, backend):
    if not backend.is_postgres:
        pytest.skip("the multi-process bank check runs on PostgreSQL")
    clerk = shop["clerk"]
    settings = {
        "database_url": backend.database_url,
        "seconds": BANK_SECONDS,
        "staff": clerk.user_id,
        "store": clerk.store_id,
        "members": [m.id for m in shop["members"]],
        "products": [p.id for p in shop["products"]],
        "reward": shop["reward"].id,
        "shared": 200,
    }
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.domain.loyalty.bank_worker",
            json.dumps(settings | {"seed": seed}),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for seed in range(BANK_PROCESSES)
    ]
    outputs = await asyncio.wait_for(
        asyncio.gather(*(p.communicate() for p in procs)), timeout=BANK_SECONDS + 120
    )
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()[-3000:]
    answers = [json.loads(line) for out, _ in outputs for line in out.decode().splitlines()]
    applied = defaultdict(set)
    for answer in answers:
        if "entry" in answer:
            applied[answer["op"], answer["key"]].add(answer["entry"])
    # Each key applied at most once: every answer for it names the same entry.
    assert all(len(entries) == 1 for entries in applied.values())
    outcomes = Counter(a.get("error", "REPEATED" if a.get("repeated") else "NEW") for a in answers)
    for outcome in ("NEW", "REPEATED", "DUPLICATE", "INSUFFICIENT_POINTS"):
        assert outcomes[outcome] > 0, outcomes
    assert set(outcomes) <= {"NEW", "REPEATED", "DUPLICATE", "INSUFFICIENT_POINTS"}, outcomes
    keys = await IdempotencyKey.all()
    assert (
        len({(k.scope, k.key) for k in keys})
        == len(keys)
        == await PointsEntry.filter(kind__in=["PURCHASE", "REDEMPTION"]).count()
    )
    assert {(k.scope.split(":")[0], k.key) for k in keys} == set(applied)
    for member in shop["members"]:
        rows = await PointsEntry.filter(member_id=member.id).order_by("id")
        balance = (await Member.get(id=member.id)).points_balance
        assert balance == sum(r.delta for r in rows) >= 0
        running = 0
        for row in rows:
            running += row.delta
            assert row.balance_after == running >= 0

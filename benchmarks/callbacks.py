"""6. Call-back tasks: one day's tasks for 200,000 members and 600,000 purchases.

A fresh PostgreSQL database, migrated, filled with COPY (asyncpg): 100 stores, 10 products
(seven with days per unit), 200,000 members (one in ten without a home store, each with a
birthday, one in four with a baby), 600,000 purchases over the last 180 days with one or two
lines each. Then ``generate_day`` makes today's tasks, vouchers and greetings (the set-based
SQL the worker runs each morning), timed; then the same day again, which must make nothing.
Target: one day in at most 10 s. ``python -m benchmarks.callbacks [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg

from benchmarks import machine
from benchmarks.report import Report, progress
from benchmarks.services import create_database, drop_database, dsn
from benchmarks.world import STORE_COLUMNS
from domain.crm.generation import Settings, generate_day
from domain.db import close_database, migrate, open_database

FULL = (200_000, 600_000)
QUICK = (20_000, 60_000)
TARGET_SECONDS = 10.0
GIFT_SKU = "BIRTHDAY-GIFT"
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 07:00 on 1 December in Shanghai


async def seed(url: str, members: int, purchases: int) -> None:
    rng = random.Random(6)
    conn = await asyncpg.connect(dsn(url))
    try:
        at = datetime(2026, 1, 1, tzinfo=UTC)
        await conn.copy_records_to_table(
            "store",
            columns=["id", *STORE_COLUMNS],
            records=[
                (i, f"S{i:03d}", f"Store {i}", "Road", 23.1, 113.3, 3.0, True, True, at)
                for i in range(1, 101)
            ],
        )
        days = [7, 14, 30, 10, 20, 5, 60, None, None, None]
        await conn.copy_records_to_table(
            "product",
            columns=[
                "id",
                "sku",
                "name",
                "price",
                "is_member_pack",
                "points_per_yuan",
                "days_per_unit",
                "active",
                "created_at",
            ],
            records=[
                (i + 1, f"P{i}", f"Product {i}", Decimal("99.00"), i < 3, Decimal(1), d, True, at)
                for i, d in enumerate(days)
            ]
            + [(11, GIFT_SKU, "Gift", Decimal("0.00"), False, Decimal(1), None, True, at)],
        )
        progress(f"seeding {members} members")
        await conn.copy_records_to_table(
            "member",
            columns=[
                "id",
                "phone",
                "password_hash",
                "name",
                "source",
                "tier",
                "points_balance",
                "member_pack_units",
                "joined_at",
                "home_store_id",
                "birthday",
            ],
            records=[
                (
                    i,
                    f"1{i:010d}",
                    "x",
                    f"会员{i}",
                    "SELF",
                    "REGULAR",
                    0,
                    0,
                    at,
                    None if i % 10 == 0 else rng.randint(1, 100),
                    date(rng.randint(1970, 2000), 1, 1) + timedelta(days=rng.randint(0, 365)),
                )
                for i in range(1, members + 1)
            ],
        )
        await conn.copy_records_to_table(
            "baby",
            columns=["member_id", "name", "birthday", "created_at"],
            records=[
                (i, f"宝宝{i}", date(2022, 1, 1) + timedelta(days=rng.randint(0, 1000)), at)
                for i in range(1, members + 1, 4)
            ],
        )
        progress(f"seeding {purchases} purchases")
        start = NOW - timedelta(days=180)
        rows, lines = [], []
        for i in range(1, purchases + 1):
            member = rng.randint(1, members)
            rows.append(
                (
                    i,
                    member,
                    rng.randint(1, 100),
                    Decimal("99.00"),
                    0,
                    start + timedelta(seconds=rng.randint(0, 180 * 86_400)),
                )
            )
            for _ in range(rng.choice((1, 1, 2))):
                lines.append((i, rng.randint(1, 10), rng.randint(1, 3), Decimal("99.00"), 99))
        await conn.copy_records_to_table(
            "purchase",
            columns=["id", "member_id", "store_id", "total", "member_pack_units", "created_at"],
            records=rows,
        )
        await conn.copy_records_to_table(
            "purchase_line",
            columns=["purchase_id", "product_id", "quantity", "unit_price", "points"],
            records=lines,
        )
        for table in ("store", "product", "member", "baby", "purchase"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        # As a live database would be: statistics, and hint bits and visibility maps set (the
        # first scan after a bulk load otherwise writes every page it reads).
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def run(quick: bool) -> Report:
    members, purchases = QUICK if quick else FULL
    report = Report(
        "6. Call-back tasks: one day for 200,000 members"
        if not quick
        else "6. Call-back tasks: one day (quick: 20,000 members)"
    )
    url = await create_database("o2o_bench_callbacks")
    try:
        await migrate(url)
        await seed(url, members, purchases)
        ctx = await open_database(url)
        try:
            settings = Settings(gift_sku=GIFT_SKU)
            progress("generating the day")
            started = time.perf_counter()
            made = await generate_day(TODAY, settings, NOW)
            seconds = time.perf_counter() - started
            started = time.perf_counter()
            again = await generate_day(TODAY, settings, NOW)
            again_seconds = time.perf_counter() - started
        finally:
            await close_database(ctx)
    finally:
        await drop_database(url)
    report.add(
        "one day's tasks",
        f"{seconds:.2f} s",
        f"<= {TARGET_SECONDS:.0f} s",
        seconds <= TARGET_SECONDS,
    )
    report.note(
        f"{members} members, {purchases} purchases: {made.tasks} tasks, {made.closed} closed,"
        f" {made.vouchers} vouchers, {made.messages} messages in {seconds:.2f} s"
    )
    report.note(f"the same day again: made={again.made}, {again_seconds * 1000:.0f} ms")
    return report


async def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.callbacks")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for label, value in await machine.describe():
        print(f"  {label:<11} {value}")
    report = await run(args.quick)
    print(report.title)
    for row in report.rows:
        print(f"  {row.figure}: {row.value} (target {row.target}) {row.verdict}")
    for line in report.details:
        print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

"""6. The channel: 10,000 codes recorded by one shipmentRecord; the CPU the scan adds to a
counter sale with six codes.

In-process on a fresh PostgreSQL database (the domain calls the resolvers make; the GraphQL
layer around them is the same with or without codes). Shipments: ``ROUNDS`` calls of 10,000
new codes each, wall time per call. The scan: ``SALES`` counter sales of six units without
codes, then as many with six shipped codes each (in the territory, first sale), alternating;
the figure is the difference of the process CPU per sale (``time.process_time``), i.e. the
server CPU the scan costs, database time excluded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from benchmarks.report import Report, progress
from benchmarks.services import create_database, drop_database
from domain.crm.channel import distributors, shipments
from domain.db import close_database, migrate, open_database
from domain.enums import StaffRole
from domain.loyalty import record_purchase
from domain.people.models import Admin, Member, Staff
from domain.principal import Principal, Role
from domain.stores.lines import Line
from domain.stores.models import Product, Store

CODES = 10_000
SHIPMENT_TARGET = 1.0  # seconds for 10,000 codes
SCAN_TARGET_MS = 2.0


@dataclass(frozen=True)
class Scale:
    rounds: int
    sales: int


FULL = Scale(rounds=5, sales=400)
QUICK = Scale(rounds=2, sales=100)


async def run(quick: bool) -> Report:
    scale = QUICK if quick else FULL
    report = Report("6. The channel: shipmentRecord and the counter's scan")
    url = await create_database("o2o_bench_channel")
    try:
        await migrate(url)
        ctx = await open_database(url)
        try:
            await _measure(report, scale)
        finally:
            await close_database(ctx)
    finally:
        await drop_database(url)
    return report


async def _measure(report: Report, scale: Scale) -> None:
    store = await Store.create(
        code="S1", name="S1", address="1 Road", latitude=23.1, longitude=113.3
    )
    admin_row = await Admin.create(phone="13900000000", password_hash="x", name="Admin")
    admin = Principal(Role.ADMIN, admin_row.id)
    clerk_row = await Staff.create(
        store_id=store.id, phone="13900000001", password_hash="x", name="C", role=StaffRole.CLERK
    )
    clerk = Principal(Role.CLERK, clerk_row.id, store.id)
    product = await Product.create(sku="MILK", name="Milk", price="200.00")
    distributor = await distributors.create_distributor(
        admin, code="NORTH", name="North", store_ids=[store.id]
    )
    members = [
        await Member.create(phone=f"1370000{i:04d}", password_hash="x", name=f"M{i}")
        for i in range(20)
    ]
    progress(f"channel: {scale.rounds} shipments of {CODES} codes")
    walls = []
    for r in range(scale.rounds + 1):  # the first warms the pool and the plans up
        serials = [f"R{r}-{i:010d}" for i in range(CODES)]
        start = time.perf_counter()
        recorded = await shipments.record_shipment(
            admin,
            datetime.now(UTC),
            distributor_id=distributor.id,
            store_id=store.id,
            product_id=product.id,
            serials=serials,
            key=f"bench-{r}",
        )
        if r:
            walls.append(time.perf_counter() - start)
        assert recorded.shipment is not None
        assert recorded.shipment.units == CODES
    worst = max(walls)
    report.add(
        f"shipmentRecord, {CODES} codes (worst of {scale.rounds})",
        f"{worst:.3f} s (median {sorted(walls)[len(walls) // 2]:.3f} s)",
        f"<= {SHIPMENT_TARGET} s",
        worst <= SHIPMENT_TARGET,
    )
    progress(f"channel: {scale.sales} sales with and without six codes")
    codes = iter([f"R1-{i:010d}" for i in range(CODES)])
    plain = 0.0
    scanned = 0.0
    for i in range(scale.sales):
        member = members[i % len(members)].id
        for with_codes in (False, True):
            serials = [next(codes) for _ in range(6)] if with_codes else []
            start = time.process_time()
            await record_purchase(
                clerk,
                datetime.now(UTC),
                member_id=member,
                lines=[Line(product.id, 6)],
                key=f"sale-{i}-{with_codes}",
                serials=serials,
            )
            spent = time.process_time() - start
            if with_codes:
                scanned += spent
            else:
                plain += spent
    added_ms = (scanned - plain) / scale.sales * 1000
    report.add(
        "CPU a six-code scan adds to a counter sale",
        f"{added_ms:.2f} ms (sale alone {plain / scale.sales * 1000:.2f} ms)",
        f"<= {SCAN_TARGET_MS} ms",
        added_ms <= SCAN_TARGET_MS,
    )

"""A period's figures: each distributor's statement (its rebate) and each store's settlement
(paid on actual sales: the points its counter's sales issued, not the goods it took in).

Each is a few GROUP BY statements over indexed time columns; the rows come back as plain data,
and as CSV rows for the reports' export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from domain.crm.channel.models import (
    AlertStatus,
    Distributor,
    DiversionAlert,
    DiversionKind,
    SerialScan,
    Shipment,
    ShippedUnit,
)
from domain.enums import Channel, PointsEntryKind
from domain.errors import Forbidden, Invalid
from domain.loyalty.models import PointsEntry
from domain.principal import Principal
from domain.stores.models import Store

DEFAULT_YUAN_PER_POINT = Decimal("0.01")
MAX_DAYS = 366
CENT = Decimal("0.01")


@dataclass(frozen=True)
class DistributorStatement:
    distributor: Distributor
    units_shipped: int
    shipped_value: Decimal
    units_scanned: int
    units_diverted: int
    confirmed_diversions: int
    rebate: Decimal

    @property
    def points_rate(self) -> Decimal | None:
        """The share of the units shipped whose code was scanned at a counter."""
        if not self.units_shipped:
            return None
        return (Decimal(self.units_scanned) / self.units_shipped).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class StoreSettlement:
    store: Store
    units_scanned: int
    units_shipped: int
    points_issued: int
    payable: Decimal


def period(start: date, end: date, tz: tzinfo = UTC) -> tuple[datetime, datetime]:
    """The instants [start 00:00, the day after end 00:00) in ``tz``, as UTC."""
    if end < start:
        raise Invalid("to is before from.", "to")
    if (end - start).days >= MAX_DAYS:
        raise Invalid(f"A period is at most {MAX_DAYS} days.", "to")
    low = datetime.combine(start, time(), tz).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(), tz).astimezone(UTC)
    return low, high


async def distributor_statements(
    actor: Principal, start: date, end: date, *, tz: tzinfo = UTC
) -> list[DistributorStatement]:
    """Admins every distributor's; a distributor its own."""
    if not (actor.is_admin or actor.is_distributor):
        raise Forbidden("Admins and distributors read distributor statements.")
    low, high = period(start, end, tz)
    query = Distributor.all() if actor.is_admin else Distributor.filter(id=actor.user_id)
    distributors = await query.order_by("code")
    shipped = await _grouped(
        Shipment,
        '"distributor_id", SUM("units"), SUM("units" * "unit_price")',
        "shipped_at",
        low,
        high,
        "distributor_id",
    )
    scanned = await _grouped(
        ShippedUnit, '"distributor_id", COUNT(*)', "sold_at", low, high, "distributor_id"
    )
    diverted: dict[int, int] = defaultdict(int)
    confirmed: dict[int, int] = defaultdict(int)
    for row in await _grouped(
        DiversionAlert,
        '"distributor_id", "kind", "status", COUNT(*)',
        "detected_at",
        low,
        high,
        '"distributor_id", "kind", "status"',
        '"distributor_id" IS NOT NULL',
    ):
        distributor, kind, status, n = int(row[0]), row[1], row[2], int(row[3])
        if kind == DiversionKind.DIVERTED.value and status != AlertStatus.DISMISSED.value:
            diverted[distributor] += n
        if status == AlertStatus.CONFIRMED.value:
            confirmed[distributor] += n
    shipped_by = {int(r[0]): (int(r[1] or 0), Decimal(r[2] or 0)) for r in shipped}
    scanned_by = {int(r[0]): int(r[1]) for r in scanned}
    statements = []
    for d in distributors:
        units, value = shipped_by.get(d.id, (0, Decimal(0)))
        value = value.quantize(CENT)
        rebate = (value * d.rebate_rate).quantize(CENT) if not confirmed[d.id] else Decimal(0)
        statements.append(
            DistributorStatement(
                distributor=d,
                units_shipped=units,
                shipped_value=value,
                units_scanned=scanned_by.get(d.id, 0),
                units_diverted=diverted[d.id],
                confirmed_diversions=confirmed[d.id],
                rebate=rebate.quantize(CENT),
            )
        )
    return statements


async def store_settlements(
    actor: Principal,
    start: date,
    end: date,
    *,
    yuan_per_point: Decimal = DEFAULT_YUAN_PER_POINT,
    tz: tzinfo = UTC,
) -> list[StoreSettlement]:
    """Admins every store's; staff their own store's."""
    if not (actor.is_admin or actor.is_staff):
        raise Forbidden("Admins and store staff read store settlements.")
    low, high = period(start, end, tz)
    query = Store.all() if actor.is_admin else Store.filter(id=actor.store_id)
    stores = await query.order_by("code")
    scanned = await _grouped(
        SerialScan, '"store_id", COUNT(*)', "scanned_at", low, high, "store_id"
    )
    shipped = await _grouped(
        Shipment, '"store_id", SUM("units")', "shipped_at", low, high, "store_id"
    )
    points = await _grouped(
        PointsEntry,
        '"store_id", SUM("delta")',
        "created_at",
        low,
        high,
        "store_id",
        f"\"kind\" = '{PointsEntryKind.PURCHASE.value}' AND \"channel\" = '{Channel.STORE.value}'"
        ' AND "store_id" IS NOT NULL',
    )
    scanned_by = {int(r[0]): int(r[1]) for r in scanned}
    shipped_by = {int(r[0]): int(r[1] or 0) for r in shipped}
    points_by = {int(r[0]): int(r[1] or 0) for r in points}
    return [
        StoreSettlement(
            store=s,
            units_scanned=scanned_by.get(s.id, 0),
            units_shipped=shipped_by.get(s.id, 0),
            points_issued=points_by.get(s.id, 0),
            payable=(points_by.get(s.id, 0) * yuan_per_point).quantize(CENT),
        )
        for s in stores
    ]


async def _grouped(
    model: Any,
    columns: str,
    at: str,
    low: datetime,
    high: datetime,
    group: str,
    where: str = "",
) -> list[Sequence[Any]]:
    client = model._meta.db
    if client.capabilities.dialect == "postgres":
        bounds = f'"{at}" >= $1 AND "{at}" < $2'
    else:
        bounds = f'"{at}" >= ? AND "{at}" < ?'
    condition = f"{bounds} AND {where}" if where else bounds
    _, rows = await client.execute_query(
        f'SELECT {columns} FROM "{model._meta.db_table}" WHERE {condition} GROUP BY {group}',
        [low, high],
    )
    return list(rows)


DISTRIBUTOR_HEADER = [
    "distributor_code",
    "distributor_name",
    "units_shipped",
    "shipped_value",
    "units_scanned",
    "points_rate",
    "units_diverted",
    "confirmed_diversions",
    "rebate_rate",
    "rebate",
]
STORE_HEADER = [
    "store_code",
    "store_name",
    "units_scanned",
    "units_shipped",
    "points_issued",
    "payable",
]


def distributor_csv_rows(statements: Sequence[DistributorStatement]) -> list[list[str]]:
    """The header and one row per statement, for the reports' CSV export."""
    rows = [DISTRIBUTOR_HEADER]
    for s in statements:
        rate = s.points_rate
        rows.append(
            [
                s.distributor.code,
                s.distributor.name,
                str(s.units_shipped),
                str(s.shipped_value),
                str(s.units_scanned),
                "" if rate is None else str(rate),
                str(s.units_diverted),
                str(s.confirmed_diversions),
                str(s.distributor.rebate_rate),
                str(s.rebate),
            ]
        )
    return rows


def store_csv_rows(settlements: Sequence[StoreSettlement]) -> list[list[str]]:
    rows = [STORE_HEADER]
    for s in settlements:
        rows.append(
            [
                s.store.code,
                s.store.name,
                str(s.units_scanned),
                str(s.units_shipped),
                str(s.points_issued),
                str(s.payable),
            ]
        )
    return rows

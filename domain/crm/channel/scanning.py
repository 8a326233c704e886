"""The counter's scan: the codes of the units a sale hands over, checked in the sale's own
transaction.

A sale is never refused for a suspicious code (the mother at the counter is not the one who
diverted it): each is recorded, and raises its alert in the same transaction. What is refused,
before anything is written, is a scan that cannot be of this sale: a malformed code, a code
given twice, more codes than units, or a code shipped as a product the sale does not have.

The first sale of a code claims its unit with one conditional UPDATE (``sold_purchase_id IS
NULL``), so of two counters scanning one code at once exactly one is the first sale; under
PostgreSQL's READ COMMITTED the other waits for the row, re-checks the condition and finds it
sold: DUPLICATE_SCAN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain.crm.channel.models import (
    DistributorStore,
    DiversionAlert,
    DiversionKind,
    SerialScan,
    ShippedUnit,
)
from domain.crm.channel.serials import SERIAL_RULE, in_codes, is_postgres, well_formed
from domain.errors import Invalid
from domain.events import DiversionAlertRaised

FIELD = "serials"


@dataclass(frozen=True)
class Scanned:
    code: str
    # None: in order (shipped to a store of this one's distributor, first sale).
    kind: DiversionKind | None
    alert_id: int | None = None


def clean(serials: Sequence[str], units: Mapping[int, int]) -> list[str]:
    """The codes as scanned, or ``Invalid`` for a list that cannot be of this sale."""
    codes = [s.strip() for s in serials]
    for code in codes:
        if not well_formed(code):
            raise Invalid(f"{code[:40]!r} is not a unit code ({SERIAL_RULE}).", FIELD)
    if len(set(codes)) != len(codes):
        raise Invalid("A code is scanned once per sale.", FIELD)
    total = sum(units.values())
    if len(codes) > total:
        raise Invalid(f"{len(codes)} codes for {total} units: one code per unit sold.", FIELD)
    return codes


async def check_products(codes: Sequence[str], units: Mapping[int, int]) -> None:
    """``Invalid`` when a shipped code is of a product the sale does not have. A code never
    shipped has no known product: it is recorded and raises UNKNOWN_SERIAL."""
    if not codes:
        return
    client = ShippedUnit._meta.db
    match, params = in_codes(client, codes)
    _, rows = await client.execute_query(
        f'SELECT "code", "product_id" FROM "{ShippedUnit._meta.db_table}" WHERE {match}', params
    )
    for code, product_id in rows:
        if int(product_id) not in units:
            raise Invalid(f"{code} is the code of a product not in this sale.", FIELD)


async def scan(
    codes: Sequence[str], *, purchase_id: int, store_id: int, now: datetime
) -> tuple[list[Scanned], list[DiversionAlertRaised]]:
    """Record the sale's codes and raise their alerts; call inside the sale's transaction.

    The events are for after the commit."""
    if not codes:
        return [], []
    async with in_transaction() as connection:  # the caller's: joined, not nested
        claimed = await _claim(connection, codes, purchase_id, store_id, now)
        others = [c for c in codes if c not in claimed]
        sold_before = await _units(connection, others) if others else {}
        allowed = await _supplying(connection, store_id, {u[0] for u in claimed.values()})
        scans: list[Scanned] = []
        events: list[DiversionAlertRaised] = []
        for code in codes:
            unit = claimed.get(code) or sold_before.get(code)
            kind = _kind(code, claimed, unit, allowed)
            alert_id = None
            if kind is not None:
                alert = await DiversionAlert.create(
                    kind=kind,
                    serial=code,
                    product_id=unit[2] if unit else None,
                    distributor_id=unit[0] if unit else None,
                    shipped_to_id=unit[1] if unit else None,
                    sold_at_id=store_id,
                    purchase_id=purchase_id,
                    detected_at=now,
                )
                alert_id = alert.id
                events.append(
                    DiversionAlertRaised(
                        alert.id, kind.value, alert.distributor_id, store_id, purchase_id, now
                    )
                )
            scans.append(Scanned(code, kind, alert_id))
        await SerialScan.bulk_create(
            [
                SerialScan(
                    purchase_id=purchase_id,
                    code=s.code,
                    store_id=store_id,
                    kind=s.kind,
                    alert_id=s.alert_id,
                    scanned_at=now,
                )
                for s in scans
            ]
        )
    return scans, events


Unit = tuple[int, int, int]  # distributor, store shipped to, product


def _kind(
    code: str, claimed: Mapping[str, Unit], unit: Unit | None, allowed: set[int]
) -> DiversionKind | None:
    if unit is None:
        return DiversionKind.UNKNOWN_SERIAL
    if code not in claimed:
        return DiversionKind.DUPLICATE_SCAN
    if unit[0] not in allowed:
        return DiversionKind.DIVERTED
    return None


async def _claim(
    connection: BaseDBAsyncClient,
    codes: Sequence[str],
    purchase_id: int,
    store_id: int,
    now: datetime,
) -> dict[str, Unit]:
    """Mark the units of ``codes`` not sold before as sold by this sale; those claimed."""
    table = ShippedUnit._meta.db_table
    if is_postgres(connection):
        match, codes_param = in_codes(connection, codes, first=4)
        sets = '"sold_purchase_id" = $1, "sold_store_id" = $2, "sold_at" = $3'
    else:
        match, codes_param = in_codes(connection, codes)
        sets = '"sold_purchase_id" = ?, "sold_store_id" = ?, "sold_at" = ?'
    params: list[Any] = [purchase_id, store_id, now, *codes_param]
    # execute_query_dict: tortoise's execute_query drops the rows of an UPDATE's RETURNING.
    rows = await connection.execute_query_dict(
        f'UPDATE "{table}" SET {sets} WHERE {match} AND "sold_purchase_id" IS NULL '
        'RETURNING "code", "distributor_id", "store_id", "product_id"',
        params,
    )
    return {
        row["code"]: (int(row["distributor_id"]), int(row["store_id"]), int(row["product_id"]))
        for row in rows
    }


async def _units(connection: BaseDBAsyncClient, codes: Sequence[str]) -> dict[str, Unit]:
    match, params = in_codes(connection, codes)
    _, rows = await connection.execute_query(
        f'SELECT "code", "distributor_id", "store_id", "product_id" '
        f'FROM "{ShippedUnit._meta.db_table}" WHERE {match}',
        params,
    )
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in rows}


async def _supplying(
    connection: BaseDBAsyncClient, store_id: int, distributors: set[int]
) -> set[int]:
    """Those of ``distributors`` whose territory holds ``store_id``."""
    if not distributors:
        return set()
    rows = (
        await DistributorStore.filter(store_id=store_id, distributor_id__in=sorted(distributors))
        .using_db(connection)
        .values_list("distributor_id", flat=True)
    )
    return {int(r) for r in rows}  # type: ignore[call-overload]


async def scans_of(purchase_id: int) -> list[Scanned]:
    """What a sale's scan found, as it was recorded (for a repeated request)."""
    rows = await SerialScan.filter(purchase_id=purchase_id).order_by("id")
    return [Scanned(r.code, r.kind, r.alert_id) for r in rows]

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

The common case (every code shipped into the territory, sold the first time) costs two
statements: the claim, which also returns each unit's product and whether its distributor
supplies this store, and one INSERT of the scans. Both are plain SQL: the ORM's query
building and model instances cost more CPU than the statements themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


def _check_products(units: Iterable[tuple[str, Unit]], sold: Mapping[int, int]) -> None:
    """``Invalid`` when a shipped code is of a product the sale does not have (raised inside
    the sale's transaction, it undoes the claim with the rest). A code never shipped has no
    known product: it is recorded and raises UNKNOWN_SERIAL."""
    for code, unit in units:
        if unit[2] not in sold:
            raise Invalid(f"{code} is the code of a product not in this sale.", FIELD)


async def scan(
    codes: Sequence[str],
    *,
    purchase_id: int,
    store_id: int,
    now: datetime,
    units: Mapping[int, int],
) -> tuple[list[Scanned], list[DiversionAlertRaised]]:
    """Record the sale's codes and raise their alerts; call inside the sale's transaction.
    ``units``: the sale's quantities by product, which every shipped code must be of.

    The events are for after the commit."""
    if not codes:
        return [], []
    async with in_transaction() as connection:  # the caller's: joined, not nested
        claims = await _claim(connection, codes, purchase_id, store_id, now)
        claimed = {code: unit for code, (unit, _) in claims.items()}
        allowed = {unit[0] for unit, supplies in claims.values() if supplies}
        others = [c for c in codes if c not in claims]
        sold_before = await _units(connection, others) if others else {}
        _check_products([*claimed.items(), *sold_before.items()], units)
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
        await _insert_scans(connection, scans, purchase_id, store_id, now)
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
) -> dict[str, tuple[Unit, bool]]:
    """Mark the units of ``codes`` not sold before as sold by this sale; those claimed, each
    with whether its distributor's territory holds ``store_id``."""
    table = ShippedUnit._meta.db_table
    territory = DistributorStore._meta.db_table
    if is_postgres(connection):
        match, codes_param = in_codes(connection, codes, first=4)
        sets = '"sold_purchase_id" = $1, "sold_store_id" = $2, "sold_at" = $3'
    else:
        match, codes_param = in_codes(connection, codes)
        sets = '"sold_purchase_id" = ?, "sold_store_id" = ?, "sold_at" = ?'
    params: list[Any] = [purchase_id, store_id, now, *codes_param]
    # The territory is read in the same statement: "sold_store_id" is this store once set.
    supplies = (
        f'EXISTS (SELECT 1 FROM "{territory}" AS t WHERE t."distributor_id" = '
        f'"{table}"."distributor_id" AND t."store_id" = "{table}"."sold_store_id")'
    )
    # execute_query_dict: tortoise's execute_query drops the rows of an UPDATE's RETURNING.
    rows = await connection.execute_query_dict(
        f'UPDATE "{table}" SET {sets} WHERE {match} AND "sold_purchase_id" IS NULL '
        f'RETURNING "code", "distributor_id", "store_id", "product_id", {supplies} AS "supplies"',
        params,
    )
    return {
        row["code"]: (
            (int(row["distributor_id"]), int(row["store_id"]), int(row["product_id"])),
            bool(row["supplies"]),
        )
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


async def _insert_scans(
    connection: BaseDBAsyncClient,
    scans: Sequence[Scanned],
    purchase_id: int,
    store_id: int,
    now: datetime,
) -> None:
    """One INSERT of the sale's scans."""
    table = SerialScan._meta.db_table
    columns = '"purchase_id", "store_id", "scanned_at", "code", "kind", "alert_id"'
    # The value the ORM itself would bind for the timestamp (the dialects store it apart).
    at = SerialScan._meta.fields_map["scanned_at"].to_db_value(now, SerialScan)
    kinds = [s.kind.value if s.kind else None for s in scans]
    if is_postgres(connection):
        await connection.execute_query(
            f'INSERT INTO "{table}" ({columns}) SELECT $1, $2, $3, c, k, a '
            "FROM unnest($4::text[], $5::text[], $6::bigint[]) AS s(c, k, a)",
            [
                purchase_id,
                store_id,
                at,
                [s.code for s in scans],
                kinds,
                [s.alert_id for s in scans],
            ],
        )
        return
    values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(scans))
    params: list[Any] = []
    for scan_, kind in zip(scans, kinds, strict=True):
        params += [purchase_id, store_id, at, scan_.code, kind, scan_.alert_id]
    await connection.execute_query(f'INSERT INTO "{table}" ({columns}) VALUES {values}', params)


async def scans_of(purchase_id: int) -> list[Scanned]:
    """What a sale's scan found, as it was recorded (for a repeated request)."""
    rows = await SerialScan.filter(purchase_id=purchase_id).order_by("id")
    return [Scanned(r.code, r.kind, r.alert_id) for r in rows]

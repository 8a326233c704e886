"""Shipments: the units a distributor sends one store, one product, one code per unit.

The codes are written in one statement per call (10,000 of them in well under a second on
PostgreSQL): the code is the table's key, so a code shipped before, or by a racing call, is
skipped by the database itself and listed in ``rejected``; the rest are recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import validation
from domain.crm.channel.distributors import may_act_for
from domain.crm.channel.models import Distributor, DistributorStore, Shipment, ShippedUnit
from domain.crm.channel.serials import SERIAL_RULE, in_codes, is_postgres, well_formed
from domain.errors import Duplicate, Forbidden, Invalid, NotFound
from domain.principal import Principal
from domain.stores.models import Product, Store

MAX_CODES = 10_000


@dataclass(frozen=True)
class Recorded:
    shipment: Shipment | None
    # Codes not recorded: malformed, repeated in the request, or shipped before. With no
    # shipment, none was recorded and nothing is written.
    rejected: list[str]
    repeated: bool = False


NOTHING_RECORDED = (
    f"None of the codes could be recorded: each is shipped already or not {SERIAL_RULE}."
)


class _NothingRecorded(Exception):
    """Rolls back the empty shipment."""


async def record_shipment(
    actor: Principal,
    now: datetime,
    *,
    distributor_id: int,
    store_id: int,
    product_id: int,
    serials: Sequence[str],
    key: str,
) -> Recorded:
    """Admins for any distributor, a distributor for itself; only to a store of its territory."""
    if not may_act_for(actor, distributor_id):
        raise Forbidden("A distributor records only its own shipments.")
    key = validation.text(key, "idempotencyKey", max_length=100)
    if not serials:
        raise Invalid("A shipment has at least one code.", "serials")
    if len(serials) > MAX_CODES:
        raise Invalid(
            f"At most {MAX_CODES} codes per call; import larger files with `o2o shipments import`.",
            "serials",
        )
    codes = [s.strip() for s in serials]
    digest = _fingerprint(store_id, product_id, codes)
    if (first := await _first(distributor_id, key, digest)) is not None:
        return Recorded(first, await _rejected_of_repeat(first, codes), repeated=True)
    product = await _check_route(distributor_id, store_id, product_id)
    candidates = list(dict.fromkeys(c for c in codes if well_formed(c)))
    try:
        async with in_transaction() as connection:
            shipment = await Shipment.create(
                distributor_id=distributor_id,
                store_id=store_id,
                product_id=product_id,
                units=0,
                unit_price=product.price,
                shipped_at=now,
                idempotency_key=key,
                fingerprint=digest,
            )
            recorded = await _insert_units(connection, shipment, candidates)
            if not recorded:
                raise _NothingRecorded()
            shipment.units = len(recorded)
            await shipment.save(update_fields=["units"])
    except _NothingRecorded:
        return Recorded(None, codes)
    except IntegrityError:  # a racing call with the same key committed first
        if (first := await _first(distributor_id, key, digest)) is None:
            raise
        return Recorded(first, await _rejected_of_repeat(first, codes), repeated=True)
    return Recorded(shipment, _rejected(codes, recorded))


async def _check_route(distributor_id: int, store_id: int, product_id: int) -> Product:
    """The product shipped; refuses a store outside the distributor's territory (a shipment
    is where the brand says the goods go)."""
    if not await Distributor.exists(id=distributor_id):
        raise NotFound("No distributor has this id.", "distributorId")
    if not await Store.exists(id=store_id):
        raise NotFound("No store has this id.", "storeId")
    product = await Product.get_or_none(id=product_id)
    if product is None:
        raise NotFound("No product has this id.", "productId")
    if not await DistributorStore.exists(distributor_id=distributor_id, store_id=store_id):
        raise Invalid("This store is not in the distributor's territory.", "storeId")
    return product


def _rejected(codes: list[str], recorded: set[str]) -> list[str]:
    """Every code of the request not recorded, in order; a code given twice is recorded once
    and listed here once for its repeat."""
    left = set(recorded)
    rejected = []
    for code in codes:
        if code in left:
            left.discard(code)
        else:
            rejected.append(code)
    return rejected


async def _insert_units(
    connection: BaseDBAsyncClient, shipment: Shipment, codes: list[str]
) -> set[str]:
    """Insert the units whose code is new; the codes inserted."""
    if not codes:
        return set()
    table = ShippedUnit._meta.db_table
    columns = '"code", "shipment_id", "distributor_id", "store_id", "product_id"'
    if is_postgres(connection):
        # execute_query_dict: tortoise's execute_query drops the rows of an INSERT's RETURNING.
        rows = await connection.execute_query_dict(
            f'INSERT INTO "{table}" ({columns}) '
            "SELECT c, $2, $3, $4, $5 FROM unnest($1::text[]) AS c "
            'ON CONFLICT ("code") DO NOTHING RETURNING "code"',
            [codes, shipment.id, shipment.distributor_id, shipment.store_id, shipment.product_id],
        )
        return {row["code"] for row in rows}
    # SQLite: one prepared statement run per code; then read back which are this shipment's.
    await connection.execute_many(
        f'INSERT OR IGNORE INTO "{table}" ({columns}) VALUES (?, ?, ?, ?, ?)',
        [
            [c, shipment.id, shipment.distributor_id, shipment.store_id, shipment.product_id]
            for c in codes
        ],
    )
    _, mine = await connection.execute_query(
        f'SELECT "code" FROM "{table}" WHERE "shipment_id" = ?', [shipment.id]
    )
    return {row[0] for row in mine}


async def _first(distributor_id: int, key: str, digest: str) -> Shipment | None:
    """What the first call with this key recorded, None if the key is new; ``Duplicate`` if
    it came with other content."""
    shipment = await Shipment.get_or_none(distributor_id=distributor_id, idempotency_key=key)
    if shipment is None:
        return None
    if shipment.fingerprint != digest:
        raise Duplicate("This idempotency key was used for a different shipment.", "idempotencyKey")
    return shipment


async def _rejected_of_repeat(shipment: Shipment, codes: list[str]) -> list[str]:
    """For a repeated request: the codes that the first call did not record."""
    wanted = list(dict.fromkeys(c for c in codes if well_formed(c)))
    client = ShippedUnit._meta.db
    recorded: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        match, params = in_codes(client, chunk)
        placeholder = "$2" if is_postgres(client) else "?"
        _, rows = await client.execute_query(
            f'SELECT "code" FROM "{ShippedUnit._meta.db_table}" WHERE {match} '
            f'AND "shipment_id" = {placeholder}',
            [*params, shipment.id],
        )
        recorded.update(row[0] for row in rows)
    return _rejected(codes, recorded)


def _fingerprint(store_id: int, product_id: int, codes: list[str]) -> str:
    content = {"store": store_id, "product": product_id, "serials": codes}
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()

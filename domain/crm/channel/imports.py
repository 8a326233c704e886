"""Shipments from a CSV file (``o2o shipments import``): one unit code a line, as the
distributors' warehouse systems export them.

The file's lines are checked first (codes of distributors, stores and products known, the
store in the distributor's territory, the code well formed and not given twice); the rest are
grouped into shipments of one distributor, store and product and recorded through
``record_shipment``, the function behind ``shipmentRecord``, in chunks of at most
``MAX_CODES``. Each chunk's idempotency key is the file's name and the chunk's index: running
the same file again records nothing new, and a run cut short is finished by running it again.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.crm.channel.models import Distributor, DistributorStore
from domain.crm.channel.serials import SERIAL_RULE, well_formed
from domain.crm.channel.shipments import MAX_CODES, record_shipment
from domain.errors import DomainError, Invalid
from domain.principal import Principal, Role
from domain.stores.models import Product, Store

HEADER = ("distributor", "store", "product", "serial")
# Whoever runs the command at the server's shell acts as an admin (as `o2o create-admin`
# does); no account is recorded on a shipment.
OPERATOR = Principal(Role.ADMIN, 0)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Row:
    line: int
    distributor: str
    store: str
    product: str
    serial: str


@dataclass(frozen=True)
class Rejection:
    line: int
    serial: str
    reason: str


@dataclass
class ImportReport:
    recorded: int = 0
    shipments: int = 0
    # Codes an earlier run of the same file recorded already.
    already: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def parse(text: str) -> tuple[list[Row], list[Rejection]]:
    """The file's rows and the lines that are not four fields; ``Invalid`` for a file whose
    first line is not the header (a BOM is dropped by the caller's decoding)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != HEADER:
        raise Invalid(f"The first line must be the header {','.join(HEADER)}.", "file")
    rows: list[Row] = []
    bad: list[Rejection] = []
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue  # blank lines, as spreadsheets leave at the end
        if len(fields) != len(HEADER):
            text_of = ",".join(fields)[:40]
            bad.append(Rejection(reader.line_num, text_of, f"not {len(HEADER)} fields"))
            continue
        distributor, store, product, serial = (f.strip() for f in fields)
        rows.append(Row(reader.line_num, distributor, store, product, serial))
    return rows, bad


async def import_rows(
    rows: Sequence[Row],
    *,
    source: str,
    now: datetime,
    progress: Progress | None = None,
    rejected: Sequence[Rejection] = (),
) -> ImportReport:
    """Record the rows' codes; ``source`` (the file's name) makes the chunks' keys."""
    report = ImportReport(rejected=list(rejected))
    distributors = {
        d.code: d.id
        for d in await Distributor.filter(code__in=sorted({r.distributor for r in rows}))
    }
    stores = {s.code: s.id for s in await Store.filter(code__in=sorted({r.store for r in rows}))}
    skus = sorted({r.product for r in rows})
    products = {p.sku: p.id for p in await Product.filter(sku__in=skus)}
    territory = {
        (int(d), int(s))
        for d, s in await DistributorStore.filter(
            distributor_id__in=sorted(distributors.values())
        ).values_list("distributor_id", "store_id")
    }
    groups: dict[tuple[int, int, int], list[Row]] = {}
    seen: set[str] = set()
    for row in rows:
        reason = _fault(row, distributors, stores, products, territory, seen)
        if reason is not None:
            report.rejected.append(Rejection(row.line, row.serial, reason))
            continue
        seen.add(row.serial)
        route = (distributors[row.distributor], stores[row.store], products[row.product])
        groups.setdefault(route, []).append(row)
    chunks = [
        (route, group[start : start + MAX_CODES])
        for route, group in groups.items()
        for start in range(0, len(group), MAX_CODES)
    ]
    total = sum(len(chunk) for _, chunk in chunks)
    done = 0
    if progress is not None:
        progress("codes recorded", done, total)
    for index, ((distributor_id, store_id, product_id), chunk) in enumerate(chunks):
        try:
            result = await record_shipment(
                OPERATOR,
                now,
                distributor_id=distributor_id,
                store_id=store_id,
                product_id=product_id,
                serials=[r.serial for r in chunk],
                key=chunk_key(source, index),
            )
        except DomainError as exc:  # e.g. the same file name imported with other lines
            report.rejected.extend(Rejection(r.line, r.serial, exc.message) for r in chunk)
        else:
            left = set(result.rejected)
            fresh = len(chunk) - len(left)
            if result.repeated:
                report.already += fresh
            elif result.shipment is not None:
                report.recorded += fresh
                report.shipments += 1
            report.rejected.extend(
                Rejection(r.line, r.serial, "repeat: shipped before")
                for r in chunk
                if r.serial in left
            )
        done += len(chunk)
        if progress is not None:
            progress("codes recorded", done, total)
    report.rejected.sort(key=lambda r: r.line)
    return report


def chunk_key(source: str, index: int) -> str:
    """The chunk's idempotency key (at most 100 characters): a long file name is shortened
    to its start and a digest of the whole, so two long names never share a key."""
    name = source
    if len(name) > 60:
        name = name[:40] + "~" + hashlib.sha256(source.encode()).hexdigest()[:16]
    return f"import {name} #{index}"


def _fault(
    row: Row,
    distributors: dict[str, int],
    stores: dict[str, int],
    products: dict[str, int],
    territory: set[tuple[int, int]],
    seen: set[str],
) -> str | None:
    if not well_formed(row.serial):
        return f"malformed code: not {SERIAL_RULE}"
    if row.serial in seen:
        return "repeat: given earlier in the file"
    if row.distributor not in distributors:
        return f"unknown distributor {row.distributor!r}"
    if row.store not in stores:
        return f"unknown store {row.store!r}"
    if row.product not in products:
        return f"unknown product {row.product!r}"
    if (distributors[row.distributor], stores[row.store]) not in territory:
        return f"store {row.store} is outside {row.distributor}'s territory"
    return None

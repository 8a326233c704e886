"""Shipments from a CSV file: chunks of at most MAX_CODES, each recorded once."""

import pytest

from domain.crm.channel import imports
from domain.crm.channel.models import Shipment, ShippedUnit
from domain.crm.channel.shipments import MAX_CODES
from domain.errors import Invalid


def csv_of(c, n: int, *, store=None) -> str:
    store = store or c.inside
    lines = ["distributor,store,product,serial"]
    lines += [f"NORTH,{store.code},{c.milk.sku},CSV-{i:08d}" for i in range(n)]
    return "\n".join(lines) + "\n"


async def test_a_large_file_is_recorded_in_chunks_and_a_second_run_records_nothing(
    channel, dispatch
):
    c = channel
    rows, bad = imports.parse(csv_of(c, MAX_CODES + 5))
    assert bad == []
    seen: list[tuple[int, int]] = []
    report = await imports.import_rows(
        rows, source="big.csv", now=dispatch.now(), progress=lambda _s, d, t: seen.append((d, t))
    )
    assert (report.recorded, report.shipments, report.rejected) == (MAX_CODES + 5, 2, [])
    shipped = await Shipment.all().order_by("id")
    assert [(s.units, s.idempotency_key) for s in shipped] == [
        (MAX_CODES, "import big.csv #0"),
        (5, "import big.csv #1"),
    ]
    assert seen == [(0, MAX_CODES + 5), (MAX_CODES, MAX_CODES + 5), (MAX_CODES + 5, MAX_CODES + 5)]

    again = await imports.import_rows(rows, source="big.csv", now=dispatch.now())
    assert (again.recorded, again.shipments, again.already) == (0, 0, MAX_CODES + 5)
    assert await Shipment.all().count() == 2
    assert await ShippedUnit.all().count() == MAX_CODES + 5


async def test_codes_shipped_by_another_file_are_rejected_as_repeats(channel, dispatch):
    c = channel
    rows, _ = imports.parse(csv_of(c, 3))
    await imports.import_rows(rows[:1], source="first.csv", now=dispatch.now())
    report = await imports.import_rows(rows, source="second.csv", now=dispatch.now())
    assert report.recorded == 2
    assert report.rejected == [imports.Rejection(2, "CSV-00000000", "repeat: shipped before")]


async def test_a_file_without_the_header_is_refused():
    with pytest.raises(Invalid):
        imports.parse("NORTH,S1,MILK,CSV-00000001\n")


def test_a_long_file_name_keeps_its_keys_apart_within_100_characters():
    a = imports.chunk_key("x" * 200 + "a.csv", 12)
    b = imports.chunk_key("x" * 200 + "b.csv", 12)
    assert a != b
    assert len(a) <= 100

"""The counter's scan: alerts raised in the sale's transaction, refusals that write nothing,
and two counters racing for one code."""

import asyncio

import pytest

from domain import messagebus
from domain.crm.channel import shipments
from domain.crm.channel.models import DiversionAlert, DiversionKind, SerialScan, ShippedUnit
from domain.errors import DomainError, ErrorCode
from domain.events import DiversionAlertRaised
from domain.loyalty import record_purchase
from domain.loyalty.models import PointsEntry, Purchase
from domain.stores.lines import Line
from tests import factories
from tests.domain.crm.channel.helpers import codes


async def shipped(c, dispatch, prefix, n, *, product=None, distributor=None, store=None):
    distributor = distributor or c.distributor
    recorded = await shipments.record_shipment(
        c.admin,
        dispatch.now(),
        distributor_id=distributor.id,
        store_id=(store or c.inside).id,
        product_id=(product or c.milk).id,
        serials=codes(prefix, n),
        key=f"ship-{prefix}",
    )
    assert recorded.shipment is not None
    return codes(prefix, n)


async def sell(c, dispatch, serials, *, clerk=None, lines=None, key="sale-1", member=None):
    return await record_purchase(
        clerk or c.clerk,
        dispatch.now(),
        member_id=(member or c.member).id,
        lines=lines or [Line(c.milk.id, 6)],
        key=key,
        serials=serials,
    )


def kinds(earned):
    return [(s.code, s.kind) for s in earned.scans]


async def test_codes_shipped_into_the_territory_and_sold_the_first_time_are_in_order(
    channel, dispatch
):
    serials = await shipped(channel, dispatch, "A", 6)
    earned = await sell(channel, dispatch, serials)
    assert kinds(earned) == [(s, None) for s in serials]
    assert await DiversionAlert.all().count() == 0
    sold = await ShippedUnit.filter(sold_purchase_id=earned.entry.purchase_id).count()
    assert sold == 6
    assert await SerialScan.filter(purchase_id=earned.entry.purchase_id).count() == 6


async def test_each_suspicious_code_raises_its_alert_and_the_sale_stands(channel, dispatch):
    c = channel
    ours = await shipped(c, dispatch, "OURS", 2)
    theirs = await shipped(c, dispatch, "THEIRS", 1, distributor=c.other, store=c.outside)
    await sell(c, dispatch, [ours[0]], key="first")
    raised: list[DiversionAlertRaised] = []

    async def heard(event: DiversionAlertRaised) -> None:
        raised.append(event)

    messagebus.bus.subscribe(DiversionAlertRaised, heard)
    try:
        earned = await sell(c, dispatch, [ours[0], theirs[0], "NEVER-SHIPPED", ours[1]])
    finally:
        messagebus.bus.unsubscribe(DiversionAlertRaised, heard)
    assert kinds(earned) == [
        (ours[0], DiversionKind.DUPLICATE_SCAN),
        (theirs[0], DiversionKind.DIVERTED),
        ("NEVER-SHIPPED", DiversionKind.UNKNOWN_SERIAL),
        (ours[1], None),
    ]
    assert earned.entry.delta > 0
    alerts = {a.serial: a for a in await DiversionAlert.all()}
    assert alerts[theirs[0]].distributor_id == c.other.id
    assert alerts[theirs[0]].shipped_to_id == c.outside.id
    assert alerts[theirs[0]].sold_at_id == c.inside.id
    assert alerts[theirs[0]].product_id == c.milk.id
    assert alerts[ours[0]].distributor_id == c.distributor.id
    assert alerts["NEVER-SHIPPED"].distributor_id is None
    assert sorted(e.kind for e in raised) == ["DIVERTED", "DUPLICATE_SCAN", "UNKNOWN_SERIAL"]
    # The diverted unit's first sale is still recorded as its sale.
    unit = await ShippedUnit.get(code=theirs[0])
    assert unit.sold_store_id == c.inside.id


async def test_a_repeated_sale_returns_the_first_scans_and_raises_nothing_again(channel, dispatch):
    serials = [*await shipped(channel, dispatch, "A", 1), "UNKNOWN-1"]
    first = await sell(channel, dispatch, serials)
    again = await sell(channel, dispatch, serials)
    assert again.repeated
    assert kinds(again) == kinds(first)
    assert await DiversionAlert.all().count() == 1


@pytest.mark.parametrize(
    ("serials", "why"),
    [
        (codes("A", 7), "more codes than units"),
        (["A-00000000", "A-00000000"], "a code twice"),
        (["bad code"], "malformed"),
        (["WIPES-00000000"], "a code of a product not in the sale"),
    ],
)
async def test_a_scan_that_cannot_be_of_this_sale_is_invalid_and_writes_nothing(
    channel, dispatch, serials, why
):
    await shipped(channel, dispatch, "A", 7)
    await shipped(channel, dispatch, "WIPES", 1, product=channel.wipes)
    with pytest.raises(DomainError) as refused:
        await sell(channel, dispatch, serials)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID, "serials"), why
    assert await Purchase.all().count() == 0
    assert await PointsEntry.all().count() == 0
    assert await SerialScan.all().count() == 0
    assert await ShippedUnit.filter(sold_purchase_id__not_isnull=True).count() == 0


async def test_two_counters_scanning_one_code_at_once_sell_it_first_exactly_once(channel, dispatch):
    c = channel
    [code] = await shipped(c, dispatch, "RACE", 1)
    other_member = await factories.member()
    rounds = 5
    for i in range(rounds):
        [code] = await shipped(c, dispatch, f"RACE{i}", 1)
        both = await asyncio.gather(
            sell(c, dispatch, [code], key=f"a{i}", lines=[Line(c.milk.id, 1)]),
            sell(
                c,
                dispatch,
                [code],
                key=f"b{i}",
                clerk=c.outside_clerk,
                member=other_member,
                lines=[Line(c.milk.id, 1)],
            ),
        )
        found = sorted(str(e.scans[0].kind) for e in both)
        unit = await ShippedUnit.get(code=code)
        first = [e for e in both if e.entry.purchase_id == unit.sold_purchase_id]
        assert len(first) == 1
        assert first[0].scans[0].kind in (None, DiversionKind.DIVERTED)
        assert DiversionKind.DUPLICATE_SCAN.value in found
    assert await DiversionAlert.filter(kind=DiversionKind.DUPLICATE_SCAN).count() == rounds

"""The period's statements: rebate forfeited by a confirmed diversion; stores paid on points."""

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.crm.channel import alerts, statements
from domain.crm.channel.models import DiversionAlert
from domain.errors import DomainError, ErrorCode, Forbidden
from tests.domain.crm.channel.test_scanning import sell, shipped


async def test_a_statement_counts_the_period_and_a_confirmed_diversion_forfeits_the_rebate(
    channel, dispatch
):
    c = channel
    today = dispatch.now().date()
    ours = await shipped(c, dispatch, "N", 10)  # 10 x 200.00 shipped by North into `inside`
    theirs = await shipped(c, dispatch, "S", 4, distributor=c.other, store=c.outside)
    await sell(c, dispatch, ours[:3], key="k1", lines=[_line(c, 3)])
    await sell(c, dispatch, theirs[:2], key="k2", lines=[_line(c, 2)])  # diverted by South
    north, south = await statements.distributor_statements(c.admin, today, today)
    assert (north.distributor.code, south.distributor.code) == ("NORTH", "SOUTH")
    assert (north.units_shipped, north.shipped_value) == (10, Decimal("2000.00"))
    assert (north.units_scanned, north.units_diverted, north.confirmed_diversions) == (3, 0, 0)
    assert north.rebate == Decimal("20.00")
    assert north.points_rate == Decimal("0.3000")
    assert (south.units_scanned, south.units_diverted, south.rebate) == (2, 2, Decimal("8.00"))
    first, second = await DiversionAlert.filter(distributor_id=c.other.id).order_by("id")
    await alerts.resolve_alert(
        c.admin, dispatch.now(), alert_id=first.id, confirmed=True, note="seen"
    )
    await alerts.resolve_alert(
        c.admin, dispatch.now(), alert_id=second.id, confirmed=False, note=None
    )
    [south] = await statements.distributor_statements(c.as_other, today, today)
    assert (south.units_diverted, south.confirmed_diversions, south.rebate) == (
        1,
        1,
        Decimal("0"),
    )
    tomorrow = today + timedelta(days=1)
    [later] = await statements.distributor_statements(c.as_other, tomorrow, tomorrow)
    assert (later.units_shipped, later.confirmed_diversions) == (0, 0)
    rows = statements.distributor_csv_rows(
        await statements.distributor_statements(c.admin, today, today)
    )
    assert rows[0][0] == "distributor_code"
    assert rows[2][0] == "SOUTH"
    assert rows[2][-1] == "0.00"


async def test_an_alert_is_resolved_once(channel, dispatch):
    c = channel
    await sell(c, dispatch, ["NEVER-SHIPPED"], lines=[_line(c, 1)])
    alert = await DiversionAlert.get()
    await alerts.resolve_alert(
        c.admin, dispatch.now(), alert_id=alert.id, confirmed=False, note="x"
    )
    with pytest.raises(DomainError) as again:
        await alerts.resolve_alert(
            c.admin, dispatch.now(), alert_id=alert.id, confirmed=True, note=None
        )
    assert again.value.code is ErrorCode.INVALID_TRANSITION
    with pytest.raises(Forbidden):
        await alerts.resolve_alert(
            c.as_distributor, dispatch.now(), alert_id=alert.id, confirmed=True, note=None
        )


async def test_stores_are_paid_on_the_points_their_counter_issued(channel, dispatch):
    c = channel
    today = dispatch.now().date()
    ours = await shipped(c, dispatch, "N", 5)
    earned = await sell(c, dispatch, ours[:2], key="k1", lines=[_line(c, 2)])
    rows = await statements.store_settlements(c.admin, today, today, yuan_per_point=Decimal("0.02"))
    by_store = {r.store.id: r for r in rows}
    inside = by_store[c.inside.id]
    assert (inside.units_scanned, inside.units_shipped) == (2, 5)
    assert inside.points_issued == earned.entry.delta == 400
    assert inside.payable == Decimal("8.00")
    assert by_store[c.outside.id].payable == Decimal("0.00")
    [own] = await statements.store_settlements(c.clerk, today, today)
    assert own.store.id == c.inside.id
    with pytest.raises(Forbidden):
        await statements.store_settlements(c.as_distributor, today, today)
    with pytest.raises(DomainError):
        await statements.store_settlements(c.admin, today, today - timedelta(days=1))
    assert statements.store_csv_rows(rows)[0][-1] == "payable"


def _line(c, n):
    from domain.stores.lines import Line

    return Line(c.milk.id, n)

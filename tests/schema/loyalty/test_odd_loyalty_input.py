"""Odd input to the loyalty mutations: refused as INVALID naming the field, nothing written.

A sale whose total or points are past what their columns hold (PostgreSQL's numeric and
int4 overflow, once INTERNAL_ERROR; SQLite stored them), a date-time that leaves the calendar
when turned into UTC (OverflowError, once INTERNAL_ERROR on both).
"""

from decimal import Decimal

import pytest

from domain.loyalty.models import (
    Activity,
    ActivityCheckIn,
    Campaign,
    IdempotencyKey,
    PointsEntry,
    Purchase,
    PurchaseLine,
)
from domain.people.models import Member
from domain.stores.models import Product
from tests.schema.loyalty.test_points_schema import PURCHASE, sale
from tests.schema.loyalty.test_policies_schema import (
    ACTIVITY,
    CAMPAIGN,
    CHECK_IN,
    activity_input,
    campaign_input,
)

# The most an int4 column (a member's balance, an entry's delta) holds.
INT4_MAX = 2**31 - 1


def errors_of(data, payload):
    return [(e["code"], e["field"]) for e in data[payload]["errors"]]


async def test_a_sale_whose_total_overflows_is_refused(gql, counter):
    c = counter
    await Product.filter(id=c.pack.id).update(price=Decimal("9999999999.99"))
    data = await gql.data(
        PURCHASE, sale(c, lines=[{"productId": c.gid(c.pack), "quantity": 2}]), as_=c.as_clerk
    )
    assert errors_of(data, "purchaseRecord") == [("INVALID", "lines")]
    assert await written_by_sales() == (0, 0, 0, 0)


async def test_a_sale_earning_more_points_than_a_balance_holds_is_refused(gql, counter):
    """¥99,999,999.99 at 100 points per yuan: ten billion points, past a 32-bit balance."""
    c = counter
    await Product.filter(id=c.wipes.id).update(
        price=Decimal("99999999.99"), points_per_yuan=Decimal(100)
    )
    data = await gql.data(
        PURCHASE, sale(c, lines=[{"productId": c.gid(c.wipes), "quantity": 1}]), as_=c.as_clerk
    )
    assert errors_of(data, "purchaseRecord") == [("INVALID", "lines")]
    assert await written_by_sales() == (0, 0, 0, 0)
    assert (await Member.get(id=c.member.id)).points_balance == 0


async def written_by_sales():
    return (
        await Purchase.all().count(),
        await PurchaseLine.all().count(),
        await PointsEntry.all().count(),
        await IdempotencyKey.all().count(),
    )


EXTREME_DATES = [
    # Year 1 at +14:00 is 31 December of year 0 in UTC: before the calendar Python knows.
    ("startsAt", "0001-01-01T00:00:00+14:00"),
    ("endsAt", "9999-12-31T23:59:59-14:00"),
    ("startsAt", "0001-01-01T00:00:00+00:00"),
    ("endsAt", "9999-12-31T23:59:59+00:00"),
    ("startsAt", "2026-01-01T00:00:00"),
    ("endsAt", "2036-01-01T00:00:00"),
]


@pytest.mark.parametrize(("field", "value"), EXTREME_DATES)
async def test_a_campaign_refuses_dates_at_the_ends_of_time(gql, counter, clock, field, value):
    data = await gql.data(CAMPAIGN, campaign_input(clock, **{field: value}), as_=counter.as_admin)
    assert errors_of(data, "campaignCreate") == [("INVALID", field)]
    assert await Campaign.all().count() == 0


@pytest.mark.parametrize(("field", "value"), EXTREME_DATES)
async def test_an_activity_refuses_dates_at_the_ends_of_time(gql, counter, clock, field, value):
    data = await gql.data(ACTIVITY, activity_input(clock, **{field: value}), as_=counter.as_admin)
    assert errors_of(data, "activityCreate") == [("INVALID", field)]
    assert await Activity.all().count() == 0


async def test_a_check_in_that_would_pass_the_highest_balance_is_refused(gql, counter, clock):
    c = counter
    await Member.filter(id=c.member.id).update(points_balance=INT4_MAX - 10)
    made = (await gql.data(ACTIVITY, activity_input(clock), as_=c.as_admin))["activityCreate"]
    ids = {"a": made["activity"]["id"], "m": c.gid(c.member)}
    data = await gql.data(CHECK_IN, ids, as_=c.as_clerk)
    assert errors_of(data, "activityCheckIn") == [("INVALID", "activityId")]
    assert (await PointsEntry.all().count(), await ActivityCheckIn.all().count()) == (0, 0)
    assert (await Member.get(id=c.member.id)).points_balance == INT4_MAX - 10

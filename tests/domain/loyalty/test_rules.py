"""The earning rules function: examples and hypothesis properties."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.loyalty.rules import (
    UNITS_PER_VOUCHER,
    CampaignPolicy,
    MemberState,
    SaleLine,
    evaluate,
)

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
PACK = SaleLine(product_id=1, quantity=6, unit_price=Decimal("198.00"), is_member_pack=True)


def campaign(cid, multiplier, *, stores=None, products=None, days=(-1, 1)):
    return CampaignPolicy(
        id=cid,
        name=f"c{cid}",
        multiplier=Decimal(multiplier),
        starts_at=NOW + timedelta(days=days[0]),
        ends_at=NOW + timedelta(days=days[1]),
        store_ids=frozenset(stores) if stores else None,
        product_ids=frozenset(products) if products else None,
    )


def test_six_member_packs_earn_1188_points_and_one_voucher():
    earning = evaluate([PACK], MemberState(0), [], store_id=1, at=NOW)
    assert earning.points == 1188
    assert earning.vouchers == (1,)
    assert earning.first_voucher_ordinal == 1


def test_points_round_down_per_line_and_follow_the_products_rate():
    lines = [
        SaleLine(2, 1, Decimal("49.90")),
        SaleLine(3, 1, Decimal("49.90")),
        SaleLine(4, 1, Decimal("10.50"), points_per_yuan=Decimal(2)),
    ]
    assert evaluate(lines, MemberState(0), [], store_id=1, at=NOW).points == 49 + 49 + 21


def test_the_highest_applying_campaign_wins_and_limits_are_respected():
    campaigns = [
        campaign(1, "2"),
        campaign(2, "3", stores={9}),
        campaign(3, "1.5", products={2}),
        campaign(4, "5", days=(1, 2)),
    ]
    lines = [SaleLine(1, 1, Decimal("100")), SaleLine(2, 1, Decimal("100"))]
    at_store_1 = evaluate(lines, MemberState(0), campaigns, store_id=1, at=NOW)
    assert [(p.points, p.campaign and p.campaign.id) for p in at_store_1.lines] == [
        (200, 1),
        (200, 1),
    ]
    at_store_9 = evaluate(lines, MemberState(0), campaigns, store_id=9, at=NOW)
    assert at_store_9.points == 600
    later = evaluate(lines, MemberState(0), campaigns, store_id=1, at=NOW + timedelta(days=1))
    assert later.points == 1000


def test_vouchers_count_over_purchases():
    first = evaluate(
        [SaleLine(1, 4, Decimal(1), is_member_pack=True)], MemberState(0), [], store_id=1, at=NOW
    )
    assert first.vouchers == ()
    second = evaluate(
        [SaleLine(5, 9, Decimal(1), is_member_pack=True)],
        MemberState(first.member_pack_units_after),
        [],
        store_id=1,
        at=NOW,
    )
    assert (second.vouchers, second.first_voucher_ordinal) == ((5, 5), 1)
    assert second.member_pack_units_after == 13


prices = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=10, places=2, allow_nan=False, allow_infinity=False)
multipliers = st.decimals(
    min_value=Decimal("0.01"), max_value=10, places=2, allow_nan=False, allow_infinity=False
)
lines_st = st.lists(
    st.builds(
        SaleLine,
        product_id=st.integers(1, 5),
        quantity=st.integers(1, 999),
        unit_price=prices,
        points_per_yuan=rates,
        is_member_pack=st.booleans(),
    ),
    min_size=1,
    max_size=8,
)
campaigns_st = st.lists(
    st.builds(
        campaign,
        cid=st.integers(1, 100),
        multiplier=multipliers,
        stores=st.none() | st.sets(st.integers(1, 3), min_size=1),
        products=st.none() | st.sets(st.integers(1, 5), min_size=1),
    ),
    max_size=4,
)


@given(lines_st, campaigns_st, st.integers(0, 10_000), st.integers(0, 7), st.integers(1, 3))
def test_points_never_negative_and_never_fall_as_a_quantity_rises(
    lines, campaigns, units, which, store
):
    before = evaluate(lines, MemberState(units), campaigns, store_id=store, at=NOW)
    assert before.points >= 0
    i = which % len(lines)
    more = list(lines)
    more[i] = SaleLine(**{**lines[i].__dict__, "quantity": lines[i].quantity + 1})
    after = evaluate(more, MemberState(units), campaigns, store_id=store, at=NOW)
    assert after.points >= before.points
    assert after.lines[i].points >= before.lines[i].points


@given(st.lists(lines_st, min_size=1, max_size=10), campaigns_st)
def test_vouchers_issued_equal_a_sixth_of_member_pack_units_at_every_step(sales, campaigns):
    state = MemberState(0)
    bought = 0
    issued = 0
    for lines in sales:
        earning = evaluate(lines, state, campaigns, store_id=1, at=NOW)
        assert earning.first_voucher_ordinal == issued + 1
        bought += sum(line.quantity for line in lines if line.is_member_pack)
        issued += len(earning.vouchers)
        assert earning.member_pack_units_after == bought
        assert issued == bought // UNITS_PER_VOUCHER
        state = MemberState(earning.member_pack_units_after)


def test_a_capped_earning_keeps_its_lines_adding_up_to_the_cap():
    lines = [
        SaleLine(1, 1, Decimal("100")),
        SaleLine(2, 1, Decimal("50")),
        SaleLine(3, 1, Decimal(1)),
    ]
    earning = evaluate(lines, MemberState(0), [], store_id=1, at=NOW)
    capped = earning.capped(120)
    assert (capped.points, [p.points for p in capped.lines]) == (120, [100, 20, 0])
    assert capped.capped_from == 151
    assert earning.capped(151) is earning
    assert earning.capped_from is None

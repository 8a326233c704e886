"""The call-back rules as properties (pure: no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.crm import callbacks
from domain.crm.callbacks import (
    BabyFact,
    Config,
    Estimate,
    Kind,
    MemberFacts,
    PurchaseFact,
    member_tasks,
    observed_birthday,
    plan_day,
    run_out,
    stock_left,
)
from domain.crm.generation import day_start, local_day

BASE = date(2026, 3, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")

purchase_st = st.builds(
    lambda i, offset, store, coverage: PurchaseFact(
        i, BASE + timedelta(days=offset), store, coverage
    ),
    st.integers(1, 10_000),
    st.integers(0, 200),
    st.integers(1, 3),
    st.integers(1, 60),
)
purchases_st = st.lists(purchase_st, min_size=1, max_size=8, unique_by=lambda p: p.id).map(
    lambda ps: sorted(ps, key=lambda p: (p.day, p.id))
)


def recursion(purchases: list[PurchaseFact]) -> int:
    """runout_n = max(runout_{n-1}, d_n) + c_n, the definition of carry-over."""
    runs_out = callbacks.day_number(purchases[0].day)
    for p in purchases:
        runs_out = max(runs_out, callbacks.day_number(p.day)) + p.coverage
    return runs_out


@given(purchases_st, st.integers(-10, 400))
def test_stock_is_never_negative(purchases, offset):
    assert stock_left(purchases, BASE + timedelta(days=offset)) >= 0


@given(purchases_st.filter(lambda ps: len(ps) < 3 or ps[0].day == ps[-1].day))
def test_by_the_labels_run_out_is_the_carry_over_recursion(purchases):
    forecast = run_out(purchases)
    assert forecast is not None
    assert forecast.estimate is Estimate.LABEL
    assert callbacks.day_number(forecast.day) == recursion(purchases)


@given(purchases_st.filter(lambda ps: len(ps) < 2), st.integers(1, 60), st.integers(0, 60))
def test_buying_before_running_out_adds_to_what_is_left(purchases, coverage, after):
    before = run_out(purchases)
    assert before is not None
    day = min(purchases[-1].day + timedelta(days=after), before.day - timedelta(days=1))
    if day < purchases[-1].day:
        day = purchases[-1].day
    more = run_out([*purchases, PurchaseFact(99_999, day, 1, coverage)])
    assert more is not None
    assert more.day == before.day + timedelta(days=coverage)
    # What is left on the day of the new purchase, plus what it adds.
    assert stock_left([*purchases], day) + coverage == (more.day - day).days


@given(purchases_st.filter(lambda ps: len(ps) >= 3 and ps[0].day < ps[-1].day))
def test_from_the_third_purchase_the_members_pace_refines_it(purchases):
    forecast = run_out(purchases)
    assert forecast is not None
    assert forecast.estimate is Estimate.OBSERVED
    labels = recursion(purchases)
    num, den = forecast.pace
    assert 1 / 2 <= num / den <= 2
    last = callbacks.day_number(purchases[-1].day)
    # Scaled coverage: the forecast moves toward the pace, never before the last purchase.
    assert callbacks.day_number(forecast.day) >= last
    if num == den:
        assert callbacks.day_number(forecast.day) == labels


def test_a_member_who_buys_faster_than_the_labels_is_called_sooner():
    # Packs labelled 10 days, bought every 5: the member uses them twice as fast.
    purchases = [PurchaseFact(i, BASE + timedelta(days=5 * i), 1, 10) for i in range(3)]
    forecast = run_out(purchases)
    assert forecast is not None
    assert forecast.estimate is Estimate.OBSERVED
    assert forecast.pace == (10, 20)
    assert recursion(purchases) == callbacks.day_number(BASE) + 30
    assert forecast.day == BASE + timedelta(days=15)
    task = member_tasks(
        MemberFacts(1, "Li", 1, purchases=tuple(purchases)), BASE + timedelta(days=12), Config()
    )
    assert [t.kind for t in task] == [Kind.RUN_OUT]
    assert "实际用量" in task[0].reason


@settings(max_examples=40)
@given(st.integers(2000, 2100), st.booleans())
def test_a_leap_day_birthday_is_kept_once_a_year(year, baby):
    born = date(2000, 2, 29) if not baby else date(2020, 2, 29)
    facts = MemberFacts(
        1,
        "Wang",
        home_store_id=1,
        birthday=None if baby else born,
        babies=(BabyFact(7, "Bao", born),) if baby else (),
    )
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
    made = [
        d
        for d in days
        if d.year == year
        for t in member_tasks(facts, d, Config())
        if t.kind == Kind.BIRTHDAY
    ]
    if baby and year <= born.year:
        assert made == []
        return
    expected = date(year, 2, 29) if callbacks._leap(year) else date(year, 2, 28)
    assert made == [expected]
    assert observed_birthday(born, year) == expected


def test_first_purchase_is_due_on_day_three_and_open_through_day_five():
    facts = MemberFacts(1, "Zhao", 1, purchases=(PurchaseFact(1, BASE, 1, 0),))
    kinds = {
        offset: [t for t in member_tasks(facts, BASE + timedelta(days=offset), Config())]
        for offset in range(0, 8)
    }
    due = [o for o, ts in kinds.items() if any(t.kind == Kind.FIRST_PURCHASE for t in ts)]
    assert due == [3, 4, 5]
    assert {t.occasion for t in kinds[3]} == {BASE.isoformat()}
    assert kinds[3][0].open_until == BASE + timedelta(days=5)


def test_run_out_then_lapsed_once_each():
    facts = MemberFacts(1, "Sun", None, purchases=(PurchaseFact(1, BASE, 2, 14),))
    seen = set()
    for offset in range(0, 80):
        for t in member_tasks(facts, BASE + timedelta(days=offset), Config()):
            seen.add((t.kind, t.occasion, t.store_id))
    ends = (BASE + timedelta(days=14)).isoformat()
    assert seen == {
        (Kind.FIRST_PURCHASE, BASE.isoformat(), 2),
        (Kind.RUN_OUT, ends, 2),
        (Kind.LAPSED, ends, 2),
    }


def test_a_member_who_declined_gets_no_calls_but_still_a_gift():
    facts = MemberFacts(1, "Qian", 1, birthday=date(1990, 3, 1), declined=True)
    plan = plan_day([facts], BASE, Config(birthday_gift=True))
    assert plan.tasks == []
    assert [g.member_id for g in plan.gifts] == [1]
    assert "生日礼" in plan.gifts[0].message


@given(st.integers(0, 86_399), st.integers(0, 3))
def test_the_day_boundary_is_midnight_in_shanghai_not_utc(second, days):
    day = BASE + timedelta(days=days)
    start = day_start(day, SHANGHAI)
    assert start == datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=8)
    instant = start + timedelta(seconds=second)
    assert local_day(instant, SHANGHAI) == day
    assert local_day(start - timedelta(microseconds=1), SHANGHAI) == day - timedelta(days=1)
    # 16:00 UTC is already the next day in Shanghai.
    assert local_day(datetime(2026, 3, 1, 16, 0, tzinfo=UTC), SHANGHAI) == date(2026, 3, 2)

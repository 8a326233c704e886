"""The call-back rules, pure: facts about members in, the tasks and gifts of one day out.

This module is the reference: ``generation`` computes the same in set-based SQL, and a property
test checks the two agree on random data. Days are ``date`` objects in the brand's time zone;
a purchase counts for day D when it was made before D's local midnight, so a day generated
late (catching up after downtime) makes what it would have made on time.

Run-out with carry-over: with a member's covered purchases in order, on days d_k with coverage
c_k (units x the product's days per unit), stock runs out on r_n = max(r_{n-1}, d_n) + c_n,
which equals max_k (d_k + c_k + ... + c_n): what a purchase adds is stacked on what is left.
From the third covered purchase on the member's own pace refines it: between the first and the
last purchase A days passed while the labels said B days of stock were bought (everything
before the last purchase), so each coverage is scaled by A / B, clamped to [1/2, 2] so one odd
gap cannot make an absurd forecast. Integer arithmetic throughout, so the SQL agrees exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from domain.crm import words

# Days are counted from here in SQL (an integer is what both databases do arithmetic on).
EPOCH = date(2000, 1, 1)
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
# LAPSED is offered for a week after the lapse; a member who lapsed years before the
# system started is not flooded into every store's list on its first morning.
LAPSED_WINDOW_DAYS = 7
# A birthday call can be made through the following week.
BIRTHDAY_WINDOW_DAYS = 7
# The observed pace counts from the third covered purchase, within these bounds.
OBSERVED_FROM = 3
OBSERVED_MIN = (1, 2)
OBSERVED_MAX = (2, 1)
# A birthday voucher can be collected for this many days, the birthday included.
BIRTHDAY_VOUCHER_DAYS = 30


class Kind(StrEnum):
    FIRST_PURCHASE = "FIRST_PURCHASE"
    RUN_OUT = "RUN_OUT"
    BIRTHDAY = "BIRTHDAY"
    LAPSED = "LAPSED"


class Estimate(StrEnum):
    """Which estimate a run-out date comes from (said in the task's reason)."""

    LABEL = "LABEL"
    OBSERVED = "OBSERVED"


@dataclass(frozen=True)
class Config:
    first_purchase_call_days: int = 3
    run_out_lead_days: int = 3
    lapsed_after_days: int = 30
    # Open through this many days after the first purchase, then CLOSED.
    first_purchase_open_days: int = 5
    # A gift product is set (BIRTHDAY_GIFT_SKU): the birthday greeting mentions the voucher.
    birthday_gift: bool = False


@dataclass(frozen=True)
class PurchaseFact:
    id: int
    day: date
    store_id: int
    # Units x days per unit over the lines whose product has one; 0: nothing that runs out.
    coverage: int


@dataclass(frozen=True)
class BabyFact:
    id: int
    name: str
    birthday: date


@dataclass(frozen=True)
class MemberFacts:
    id: int
    name: str
    home_store_id: int | None = None
    birthday: date | None = None
    babies: tuple[BabyFact, ...] = ()
    purchases: tuple[PurchaseFact, ...] = ()
    # The member asked not to be called (a DECLINED outcome): gifts still come.
    declined: bool = False


@dataclass(frozen=True)
class TaskDraft:
    member_id: int
    kind: Kind
    store_id: int
    due_on: date
    # With member and kind, what makes the task unique: the same occasion never twice.
    occasion: str
    reason: str
    runs_out_on: date | None = None
    # The last day it stays OPEN unworked; None: until a purchase or a call.
    open_until: date | None = None


@dataclass(frozen=True)
class GiftDraft:
    """The member's own birthday: a voucher (when a gift product is set) and a message."""

    member_id: int
    occasion: str
    store_id: int | None
    valid_until: date
    message: str


@dataclass(frozen=True)
class RunOut:
    day: date
    estimate: Estimate
    purchases: int
    # The pace as a fraction (days observed, days the labels said); (1, 1) for the labels.
    pace: tuple[int, int] = (1, 1)


@dataclass(frozen=True)
class DayPlan:
    tasks: list[TaskDraft] = field(default_factory=list)
    gifts: list[GiftDraft] = field(default_factory=list)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def from_number(n: int) -> date:
    return EPOCH + timedelta(days=n)


def observed_birthday(birthday: date, year: int) -> date:
    """The day a birthday is kept in ``year``: 29 February falls on 28 February in common years."""
    if birthday.month == 2 and birthday.day == 29 and not _leap(year):
        return date(year, 2, 28)
    return birthday.replace(year=year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def covered(purchases: tuple[PurchaseFact, ...], day: date) -> list[PurchaseFact]:
    """The purchases before ``day`` that add stock, in the order they were made."""
    return sorted(
        (p for p in purchases if p.day < day and p.coverage > 0), key=lambda p: (p.day, p.id)
    )


def stock_left(purchases: list[PurchaseFact], on: date) -> int:
    """Days of stock left on ``on``, after that day's purchases, by the labels (never
    negative): the recursion itself, which the closed form in ``run_out`` is checked against."""
    runs_out: int | None = None
    for p in purchases:
        if p.day > on:
            break
        start = day_number(p.day)
        runs_out = max(runs_out if runs_out is not None else start, start) + p.coverage
    if runs_out is None:
        return 0
    return max(runs_out - day_number(on), 0)


def run_out(purchases: list[PurchaseFact]) -> RunOut | None:
    """When the stock bought by ``purchases`` (ordered, all covered) runs out."""
    if not purchases:
        return None
    days = [day_number(p.day) for p in purchases]
    covers = [p.coverage for p in purchases]
    n = len(purchases)
    observed_days = days[-1] - days[0]
    labelled_days = sum(covers) - covers[-1]
    if n >= OBSERVED_FROM and observed_days > 0:
        num, den = _clamp(observed_days, labelled_days)
        estimate = Estimate.OBSERVED
    else:
        num, den, estimate = 1, 1, Estimate.LABEL
    # max_k (d_k + (c_k + ... + c_n) x num / den), floored, computed as one integer division.
    best = 0
    suffix = 0
    for d, c in zip(reversed(days), reversed(covers), strict=True):
        suffix += c
        best = max(best, d * den + suffix * num)
    pace = (num, den) if estimate is Estimate.OBSERVED else (1, 1)
    return RunOut(from_number(best // den), estimate, n, pace)


def _clamp(num: int, den: int) -> tuple[int, int]:
    if num * OBSERVED_MIN[1] < den * OBSERVED_MIN[0]:
        return OBSERVED_MIN
    if num * OBSERVED_MAX[1] > den * OBSERVED_MAX[0]:
        return OBSERVED_MAX
    return num, den


def task_store(member: MemberFacts, day: date) -> int | None:
    """The member's home store; without one, the store of their last purchase before ``day``."""
    if member.home_store_id is not None:
        return member.home_store_id
    before = sorted((p for p in member.purchases if p.day < day), key=lambda p: (p.day, p.id))
    return before[-1].store_id if before else None


def plan_day(members: list[MemberFacts], day: date, config: Config) -> DayPlan:
    plan = DayPlan()
    for member in members:
        plan.tasks.extend(member_tasks(member, day, config))
        gift = birthday_gift(member, day, config)
        if gift is not None:
            plan.gifts.append(gift)
    return plan


def member_tasks(member: MemberFacts, day: date, config: Config) -> list[TaskDraft]:
    if member.declined:
        return []
    store = task_store(member, day)
    if store is None:  # nobody to call them
        return []
    tasks: list[TaskDraft] = []
    before = [p for p in member.purchases if p.day < day]
    if before:
        tasks.extend(_first_purchase(member, store, min(p.day for p in before), day, config))
        forecast = run_out(covered(member.purchases, day))
        if forecast is not None:
            last_any = max(p.day for p in before)
            tasks.extend(_stock(member, store, forecast, last_any, day, config))
    tasks.extend(_birthdays(member, store, day))
    return tasks


def _first_purchase(
    member: MemberFacts, store: int, first: date, day: date, config: Config
) -> list[TaskDraft]:
    opens = first + timedelta(days=config.first_purchase_call_days)
    closes = first + timedelta(
        days=max(config.first_purchase_open_days, config.first_purchase_call_days)
    )
    if not opens <= day <= closes:
        return []
    return [
        TaskDraft(
            member.id,
            Kind.FIRST_PURCHASE,
            store,
            day,
            first.isoformat(),
            first_purchase_reason(first, (day - first).days),
            open_until=closes,
        )
    ]


def _stock(
    member: MemberFacts, store: int, forecast: RunOut, last_any: date, day: date, config: Config
) -> list[TaskDraft]:
    ends = forecast.day
    occasion = ends.isoformat()
    lead = timedelta(days=config.run_out_lead_days)
    lapse = ends + timedelta(days=config.lapsed_after_days)
    if ends - lead <= day < ends:
        return [
            TaskDraft(
                member.id,
                Kind.RUN_OUT,
                store,
                day,
                occasion,
                run_out_reason(forecast),
                runs_out_on=ends,
                # Superseded by LAPSED, or closed by a purchase.
                open_until=lapse - timedelta(days=1),
            )
        ]
    if lapse <= day < lapse + timedelta(days=LAPSED_WINDOW_DAYS) and last_any < ends:
        return [
            TaskDraft(
                member.id,
                Kind.LAPSED,
                store,
                day,
                occasion,
                lapsed_reason(forecast, (day - ends).days),
                runs_out_on=ends,
            )
        ]
    return []


def _birthdays(member: MemberFacts, store: int, day: date) -> list[TaskDraft]:
    tasks = []
    closes = day + timedelta(days=BIRTHDAY_WINDOW_DAYS - 1)
    if member.birthday is not None and observed_birthday(member.birthday, day.year) == day:
        tasks.append(
            TaskDraft(
                member.id,
                Kind.BIRTHDAY,
                store,
                day,
                member_occasion(day),
                member_birthday_reason(member.name),
                open_until=closes,
            )
        )
    for baby in member.babies:
        if observed_birthday(baby.birthday, day.year) == day and baby.birthday < day:
            tasks.append(
                TaskDraft(
                    member.id,
                    Kind.BIRTHDAY,
                    store,
                    day,
                    baby_occasion(baby.id, day),
                    baby_birthday_reason(baby.name, day.year - baby.birthday.year),
                    open_until=closes,
                )
            )
    return tasks


def birthday_gift(member: MemberFacts, day: date, config: Config) -> GiftDraft | None:
    if member.birthday is None or observed_birthday(member.birthday, day.year) != day:
        return None
    return GiftDraft(
        member.id,
        member_occasion(day),
        task_store(member, day),
        day + timedelta(days=BIRTHDAY_VOUCHER_DAYS - 1),
        birthday_message(member.name, gift=config.birthday_gift),
    )


def member_occasion(day: date) -> str:
    return f"member:{day.year}"


def baby_occasion(baby_id: int, day: date) -> str:
    return f"baby:{baby_id}:{day.year}"


def first_purchase_reason(first: date, days: int) -> str:
    return words.FIRST_PURCHASE.format(days=days, first=first.isoformat())


def run_out_reason(forecast: RunOut) -> str:
    return words.RUN_OUT.format(ends=forecast.day.isoformat(), estimate=estimate_words(forecast))


def lapsed_reason(forecast: RunOut, days: int) -> str:
    return words.LAPSED.format(
        ends=forecast.day.isoformat(), days=days, estimate=estimate_words(forecast)
    )


def estimate_words(forecast: RunOut) -> str:
    if forecast.estimate is Estimate.OBSERVED:
        num, den = forecast.pace
        return words.ESTIMATE_OBSERVED.format(purchases=forecast.purchases, num=num, den=den)
    return words.ESTIMATE_LABEL.format(purchases=forecast.purchases)


def member_birthday_reason(name: str) -> str:
    return words.MEMBER_BIRTHDAY.format(name=name)


def baby_birthday_reason(name: str, age: int) -> str:
    return words.BABY_BIRTHDAY.format(name=name, age=age)


def birthday_message(name: str, *, gift: bool) -> str:
    greeting = words.BIRTHDAY_GREETING.format(name=name)
    if gift:
        return greeting + words.BIRTHDAY_GIFT.format(days=BIRTHDAY_VOUCHER_DAYS)
    return greeting

"""Generation in SQL against the pure rules, once per day, racing workers, catching up."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from tortoise import connections

from domain.crm import callbacks
from domain.crm.callbacks import BabyFact, Config, Kind, MemberFacts, PurchaseFact
from domain.crm.generation import (
    Settings,
    day_start,
    days_due,
    generate_day,
    generate_due,
    generate_for_member,
    local_day,
    seconds_to_next_run,
)
from domain.crm.models import CallbackDay, CallbackOutcome, CallbackStatus, CallbackTask, Message
from domain.enums import VoucherKind
from domain.errors import Invalid
from domain.loyalty.models import Purchase, PurchaseLine, Voucher
from domain.people.models import Member
from domain.stores.models import Product, Store
from tests import factories
from tests.conftest import TABLES

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
GIFT_SKU = "GIFT-BDAY"
SETTINGS = Settings(Config(birthday_gift=True), "Asia/Shanghai", GIFT_SKU)


async def _empty() -> None:
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    else:
        for table in TABLES:
            await conn.execute_script(f'DELETE FROM "{table}"')


async def _purchase(member: Member, store: Store, at: datetime, lines: list[tuple[Product, int]]):
    purchase = await Purchase.create(
        member_id=member.id,
        store_id=store.id,
        total=Decimal("1.00"),
        member_pack_units=0,
        created_at=at,
    )
    for product, quantity in lines:
        await PurchaseLine.create(
            purchase_id=purchase.id,
            product_id=product.id,
            quantity=quantity,
            unit_price=Decimal("1.00"),
            points=1,
        )
    return purchase


def _birthday(rng: random.Random, day: date) -> date | None:
    return rng.choice(
        [
            None,
            day.replace(year=1990),
            date(1992, 2, 29),
            date(1985, rng.randint(1, 12), rng.randint(1, 28)),
        ]
    )


async def _random_world(rng: random.Random, day: date) -> list[MemberFacts]:
    stores = [await factories.store(), await factories.store()]
    products = []
    for dpu in (7, 14, None, 30):
        product = await factories.product()
        product.days_per_unit = dpu
        await product.save()
        products.append(product)
    await Product.create(sku=GIFT_SKU, name="Gift", price=Decimal("0.00"))
    facts = []
    for _ in range(rng.randint(1, 8)):
        home = rng.choice([None, *stores])
        member = await factories.member(home)
        member.birthday = _birthday(rng, day)
        await member.save()
        babies = []
        for _ in range(rng.randint(0, 2)):
            born = rng.choice([day.replace(year=2022), date(2024, 2, 29), date(2023, 5, 5), day])
            baby = await _baby(member, born)
            babies.append(BabyFact(baby.id, baby.name, born))
        purchases = []
        # Bursts of buying close together (observed pace) or far apart (lapses).
        spread = rng.choice([10, 40, 120])
        for _ in range(rng.randint(0, 6)):
            offset = rng.randint(0, spread)
            # Near local midnight half of the time: the day boundary is Shanghai's.
            second = rng.choice([0, 1, 86_399, rng.randint(0, 86_399)])
            at = day_start(day - timedelta(days=offset), SHANGHAI) + timedelta(seconds=second)
            store = rng.choice(stores)
            lines = [(rng.choice(products), rng.randint(1, 3)) for _ in range(rng.randint(1, 2))]
            purchase = await _purchase(member, store, at, lines)
            coverage = sum(q * (p.days_per_unit or 0) for p, q in lines)
            purchases.append(PurchaseFact(purchase.id, local_day(at, SHANGHAI), store.id, coverage))
        declined = rng.random() < 0.1
        if declined:
            await CallbackTask.create(
                member_id=member.id,
                store_id=stores[0].id,
                kind=Kind.FIRST_PURCHASE,
                due_on=day - timedelta(days=400),
                occasion="declined-before",
                reason="-",
                status=CallbackStatus.DONE,
                outcome=CallbackOutcome.DECLINED,
                created_at=NOW - timedelta(days=400),
            )
        facts.append(
            MemberFacts(
                member.id,
                member.name,
                home.id if home else None,
                member.birthday,
                tuple(babies),
                tuple(purchases),
                declined,
            )
        )
    return facts


async def _baby(member: Member, born: date):
    from domain.crm.models import Baby

    return await Baby.create(member_id=member.id, name=f"Bao{member.id}", birthday=born)


def _task_row(t) -> tuple:
    return (
        t.member_id,
        str(t.kind),
        t.store_id,
        t.due_on,
        t.occasion,
        t.reason,
        t.runs_out_on,
        t.open_until,
    )


@pytest.mark.parametrize("seed", range(30))
async def test_the_sql_makes_what_the_rules_say(db, seed):
    rng = random.Random(seed)
    await _empty()
    day = date(2026, 2, 28) + timedelta(days=rng.choice([0, 1, 2, rng.randint(0, 300)]))
    facts = await _random_world(rng, day)
    plan = callbacks.plan_day(facts, day, SETTINGS.rules)

    result = await generate_day(day, SETTINGS, NOW)

    made = await CallbackTask.exclude(occasion="declined-before")
    assert sorted(_task_row(t) for t in made) == sorted(_task_row(t) for t in plan.tasks)
    assert result.tasks == len(plan.tasks)
    # A stock task whose member has bought since the day began is moot: born CLOSED.
    since = day_start(day, SHANGHAI)
    rows = await Purchase.filter(created_at__gte=since).values_list("member_id", flat=True)
    bought: set[object] = set(rows)
    for task in made:
        if task.kind in (Kind.RUN_OUT, Kind.LAPSED):
            assert (task.status == CallbackStatus.CLOSED) == (task.member_id in bought)
    vouchers = await Voucher.filter(kind=VoucherKind.BIRTHDAY)
    assert sorted((v.member_id, v.store_id, v.valid_until) for v in vouchers) == sorted(
        (g.member_id, g.store_id, g.valid_until) for g in plan.gifts
    )
    messages = await Message.all()
    assert sorted((m.member_id, m.topic, m.body) for m in messages) == sorted(
        (g.member_id, "BIRTHDAY", g.message) for g in plan.gifts
    )


async def _simple_world(day: date) -> tuple[Store, Member]:
    store = await factories.store()
    member = await factories.member(store)
    member.birthday = day.replace(year=1991)
    await member.save()
    product = await factories.product()
    product.days_per_unit = 7
    await product.save()
    # Bought 4 days before: a can for a week runs out in 3 days, and first purchase + 3 ... 4.
    await _purchase(member, store, day_start(day - timedelta(days=4), SHANGHAI), [(product, 1)])
    return store, member


async def test_a_day_made_again_makes_nothing(db):
    day = date(2026, 5, 10)
    _, member = await _simple_world(day)
    first = await generate_day(day, SETTINGS, NOW)
    assert first.made
    assert first.tasks == 3  # FIRST_PURCHASE, RUN_OUT, BIRTHDAY
    assert first.messages == 1
    again = await generate_day(day, SETTINGS, NOW)
    assert not again.made
    assert again.tasks == 0
    # Without the ledger (one member's rerun) the occasions are unique all the same.
    rerun = await generate_for_member(member.id, day, SETTINGS, NOW)
    assert (rerun.tasks, rerun.messages, rerun.vouchers) == (0, 0, 0)
    assert await CallbackTask.all().count() == 3
    assert await Message.all().count() == 1
    assert await CallbackDay.filter(day=day).count() == 1


async def test_two_workers_racing_make_the_day_once(db):
    day = date(2026, 5, 10)
    await _simple_world(day)
    results = await asyncio.gather(*(generate_day(day, SETTINGS, NOW) for _ in range(4)))
    assert sorted(r.made for r in results) == [False, False, False, True]
    assert sum(r.tasks for r in results) == 3
    assert await CallbackTask.all().count() == 3
    assert [d.created for d in await CallbackDay.all()] == [3]


async def test_a_member_registering_on_their_birthday_after_the_run_gets_theirs(db):
    day = date(2026, 5, 10)
    await generate_day(day, SETTINGS, NOW)
    store = await factories.store()
    member = await factories.member(store)
    member.birthday = date(1995, 5, 10)
    await member.save()
    made = await generate_for_member(member.id, day, SETTINGS, NOW)
    assert made.tasks == 1
    assert made.messages == 1
    [task] = await CallbackTask.filter(member_id=member.id)
    assert task.kind == Kind.BIRTHDAY


async def test_the_birthday_voucher_is_for_the_gift_at_the_home_store_for_30_days(db):
    day = date(2026, 5, 10)
    store, member = await _simple_world(day)
    gift = await Product.create(sku=GIFT_SKU, name="Gift", price=Decimal("0.00"))
    await generate_day(day, SETTINGS, NOW)
    [voucher] = await Voucher.filter(member_id=member.id)
    assert voucher.kind == VoucherKind.BIRTHDAY
    assert voucher.product_id == gift.id
    assert voucher.store_id == store.id
    assert voucher.valid_until == day + timedelta(days=29)
    assert voucher.ordinal is None
    [message] = await Message.filter(member_id=member.id)
    assert message.body.startswith(f"亲爱的{member.name}")


async def test_a_day_before_2000_or_after_2100_is_invalid(db):
    for day in (date(1999, 12, 31), date(2101, 1, 1)):
        with pytest.raises(Invalid):
            await generate_day(day, SETTINGS, NOW)
    assert await CallbackDay.all().count() == 0


async def test_catching_up_the_days_missed(db):
    today = date(2026, 5, 10)
    await _simple_world(today)
    await CallbackDay.create(day=today - timedelta(days=3), created=0, generated_at=NOW)
    before_seven = datetime.combine(today, time(6, 59), tzinfo=SHANGHAI)
    made = await generate_due(before_seven, SETTINGS, hour=7)
    assert [g.day for g in made] == [today - timedelta(days=2), today - timedelta(days=1)]
    after_seven = datetime.combine(today, time(7, 0), tzinfo=SHANGHAI)
    made = await generate_due(after_seven, SETTINGS, hour=7)
    assert [g.day for g in made] == [today]
    assert await generate_due(after_seven, SETTINGS, hour=7) == []
    # The day skipped made what it would have on time: the first-purchase call, due three
    # days after the purchase (four days before today), yesterday.
    first = await CallbackTask.get(kind=Kind.FIRST_PURCHASE)
    assert first.due_on == today - timedelta(days=1)
    run_out = await CallbackTask.get(kind=Kind.RUN_OUT)
    assert run_out.due_on == today
    assert run_out.runs_out_on == today + timedelta(days=3)


async def test_a_fresh_database_starts_with_today(db):
    today = date(2026, 5, 10)
    made = await generate_due(datetime.combine(today, time(8), tzinfo=SHANGHAI), SETTINGS, 7)
    assert [g.day for g in made] == [today]


def test_days_due_and_the_next_run_follow_the_brands_clock():
    zone = SHANGHAI
    # 23:30 UTC on 9 May is 07:30 on 10 May in Shanghai: 10 May is due.
    now = datetime(2026, 5, 9, 23, 30, tzinfo=UTC)
    assert days_due(now, zone, 7, set(), 1) == [date(2026, 5, 10)]
    assert seconds_to_next_run(now, zone, 7) == 23.5 * 3600
    early = datetime(2026, 5, 9, 22, 0, tzinfo=UTC)  # 06:00 in Shanghai
    assert days_due(early, zone, 7, set(), 2) == [date(2026, 5, 8), date(2026, 5, 9)]
    assert seconds_to_next_run(early, zone, 7) == 3600

"""Working the tasks: completing, a purchase closing them, babies, and what the calls achieve."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.crm.callbacks import Kind
from domain.crm.effect import callback_effect
from domain.crm.models import CallbackOutcome, CallbackStatus, CallbackTask
from domain.crm.tasks import BabyIn, TaskNotOpen, add_babies, close_on_purchase, complete_task
from domain.errors import Invalid, NotFound
from domain.loyalty.models import Purchase
from domain.people.models import Member
from domain.stores.models import Store
from tests import factories

NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
DAY = date(2026, 5, 10)


async def _task(member: Member, store: Store, kind: Kind = Kind.RUN_OUT, occasion: str = "x"):
    return await CallbackTask.create(
        member_id=member.id,
        store_id=store.id,
        kind=kind,
        due_on=DAY,
        occasion=occasion,
        reason="r",
        created_at=NOW,
    )


async def test_staff_of_the_store_complete_a_task_once(db):
    store = await factories.store()
    clerk = await factories.staff(store)
    member = await factories.member(store)
    task = await _task(member, store)
    done = await complete_task(
        factories.as_staff(clerk), task.id, CallbackOutcome.REACHED, " 聊得很好 ", NOW
    )
    assert (done.status, done.outcome, done.note, done.done_by_id) == (
        CallbackStatus.DONE,
        CallbackOutcome.REACHED,
        "聊得很好",
        clerk.id,
    )
    with pytest.raises(TaskNotOpen) as raised:
        await complete_task(
            factories.as_staff(clerk), task.id, CallbackOutcome.NO_ANSWER, None, NOW
        )
    assert raised.value.code == "INVALID_TRANSITION"
    assert (await CallbackTask.get(id=task.id)).outcome == CallbackOutcome.REACHED


async def test_another_stores_task_is_not_found_and_nothing_is_written(db):
    store, other = await factories.store(), await factories.store()
    member = await factories.member(store)
    task = await _task(member, store)
    stranger = await factories.staff(other)
    with pytest.raises(NotFound):
        await complete_task(
            factories.as_staff(stranger), task.id, CallbackOutcome.REACHED, None, NOW
        )
    assert (await CallbackTask.get(id=task.id)).status == CallbackStatus.OPEN


async def test_declined_closes_the_members_other_open_tasks(db):
    store = await factories.store()
    clerk = await factories.staff(store)
    member = await factories.member(store)
    task = await _task(member, store)
    other = await _task(member, store, Kind.BIRTHDAY, "member:2026")
    await complete_task(factories.as_staff(clerk), task.id, CallbackOutcome.DECLINED, None, NOW)
    assert (await CallbackTask.get(id=other.id)).status == CallbackStatus.CLOSED


async def test_a_purchase_closes_run_out_and_lapsed_only(db):
    store = await factories.store()
    member = await factories.member(store)
    run_out = await _task(member, store, Kind.RUN_OUT, "a")
    lapsed = await _task(member, store, Kind.LAPSED, "b")
    birthday = await _task(member, store, Kind.BIRTHDAY, "c")
    assert await close_on_purchase(member.id, NOW) == 2
    statuses = {t.id: t.status for t in await CallbackTask.all()}
    assert statuses == {
        run_out.id: CallbackStatus.CLOSED,
        lapsed.id: CallbackStatus.CLOSED,
        birthday.id: CallbackStatus.OPEN,
    }


async def test_babies_born_in_the_future_or_over_18_years_ago_are_invalid(db):
    member = await factories.member()
    today = date(2026, 5, 10)
    for born in (today + timedelta(days=1), date(2008, 5, 9)):
        with pytest.raises(Invalid) as raised:
            await add_babies(member.id, [BabyIn("Bao", born)], today)
        assert raised.value.field == "babies[0].birthday"
    babies = await add_babies(
        member.id, [BabyIn("Bao", date(2008, 5, 10)), BabyIn("Mei", today)], today
    )
    assert [b.name for b in babies] == ["Bao", "Mei"]


async def test_the_effect_compares_reached_members_with_unworked_tasks(db):
    store, other = await factories.store(), await factories.store()
    clerk = await factories.staff(store)
    members = [await factories.member(store) for _ in range(4)]
    tasks = [await _task(m, store) for m in members]
    for task in tasks[:2]:
        await complete_task(factories.as_staff(clerk), task.id, CallbackOutcome.REACHED, None, NOW)
    await CallbackTask.filter(id__in=[tasks[2].id, tasks[3].id]).update(
        status=CallbackStatus.CLOSED
    )
    # Member 0 bought 2 days after the call, member 1 only 9 days after; of the unworked,
    # member 2 bought within the week, member 3 never.
    for member, days in ((members[0], 2), (members[1], 9), (members[2], 3)):
        await Purchase.create(
            member_id=member.id,
            store_id=store.id,
            total=Decimal("1.00"),
            member_pack_units=0,
            created_at=NOW + timedelta(days=days),
        )
    await _task(await factories.member(other), other)  # another store's, left out
    effect = await callback_effect(DAY, DAY, store.id, "Asia/Shanghai")
    assert (effect.tasks, effect.done, effect.reached, effect.reached_bought) == (4, 2, 2, 1)
    assert (effect.unworked, effect.unworked_bought) == (2, 1)
    assert effect.reached_rate == Decimal("0.5000")
    assert effect.lift == Decimal("0")
    everywhere = await callback_effect(DAY, DAY, None, "Asia/Shanghai")
    assert everywhere.tasks == 5
    with pytest.raises(Invalid):
        await callback_effect(DAY, DAY - timedelta(days=1), None, "Asia/Shanghai")


async def test_days_per_unit_must_be_from_1_to_365(db):
    from domain.stores.catalog import create_product

    admin = factories.as_admin(await factories.admin())
    for days in (0, -1, 366):
        with pytest.raises(Invalid) as raised:
            await create_product(
                admin, sku=f"D{days + 10}", name="n", price=Decimal("1"), days_per_unit=days
            )
        assert raised.value.field == "daysPerUnit"
    made = await create_product(admin, sku="D365", name="n", price=Decimal("1"), days_per_unit=365)
    assert made.days_per_unit == 365

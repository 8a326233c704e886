"""The CRM hears the other areas' events: a sale makes open stock calls moot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from domain import messagebus
from domain.crm import generation, listeners
from domain.crm.callbacks import Kind
from domain.crm.models import CallbackStatus, CallbackTask
from domain.loyalty import record_purchase
from domain.stores.lines import Line
from tests import factories

NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
async def listening() -> AsyncIterator[None]:
    settings = generation.Settings()
    listeners.subscribe(messagebus.bus, settings)
    listeners.subscribe(messagebus.bus, settings)  # a second app in the process: still once
    yield
    listeners.unsubscribe(messagebus.bus, settings)


async def a_run_out_call_then_a_sale() -> int:
    """An open run-out call for a member, then a counter sale to them; the call's id."""
    store = await factories.store()
    clerk = await factories.staff(store)
    member = await factories.member(store)
    task = await CallbackTask.create(
        member_id=member.id,
        store_id=store.id,
        kind=Kind.RUN_OUT,
        due_on=date(2026, 5, 10),
        occasion="2026-05-13",
        reason="runs out on 13 May",
        created_at=NOW,
    )
    pack = await factories.product("20.00")
    await record_purchase(
        factories.as_staff(clerk), NOW, member_id=member.id, lines=[Line(pack.id, 1)], key="s1"
    )
    return int(task.id)


async def test_a_counter_sale_closes_the_members_open_run_out_call(db, listening):
    task = await a_run_out_call_then_a_sale()
    assert (await CallbackTask.get(id=task)).status is CallbackStatus.CLOSED


async def test_without_the_listeners_a_sale_leaves_the_call_open(db):
    task = await a_run_out_call_then_a_sale()
    assert (await CallbackTask.get(id=task)).status is CallbackStatus.OPEN

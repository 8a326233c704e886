"""Call-back tasks through the schema: the day's ranked list per caller, recording a call,
making a day, the outbox, the calls' effect, babies and birthdays at registration, and the
voucher's kind, store and validity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain import loyalty, messagebus
from domain.crm import listeners
from domain.crm.callbacks import Kind
from domain.crm.generation import local_day
from domain.crm.models import Baby, CallbackStatus, CallbackTask, Message
from domain.people.models import Member
from domain.stores.lines import Line
from schema.core.relay import to_global_id
from tests import factories
from tests.factories import PASSWORD

TASKS = """
query($due: Date, $store: ID, $status: CallbackStatus, $first: Int, $after: String) {
  callbackTasks(dueOn: $due, storeId: $store, status: $status, first: $first, after: $after) {
    edges { cursor node { id kind status reason dueOn runsOutOn outcome note doneAt
                          doneBy { name } store { code } member { name phone } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
COMPLETE = """
mutation($id: ID!, $outcome: CallbackOutcome!, $note: String) {
  callbackTaskComplete(id: $id, outcome: $outcome, note: $note) {
    task { id status outcome note doneAt doneBy { name } } errors { code field }
  }
}
"""
GENERATE = """
mutation($day: Date!) { callbackTasksGenerate(day: $day) { created errors { code field } } }
"""
REGISTER = """
mutation($input: MemberRegisterInput!) {
  memberRegister(input: $input) {
    member { id birthday babies { name birthday } registeredBy { name } } errors { code field }
  }
}
"""


def gid(model):
    return to_global_id(type(model).__name__, model.id)


def today(services) -> date:
    return local_day(services.dispatch.now(), services.crm.zone())


async def _shop():
    a = await factories.store()
    b = await factories.store()
    clerk = await factories.staff(a)
    return a, b, clerk


async def test_a_member_who_bought_is_called_and_the_call_recorded(gql):
    a, _b, clerk = await _shop()
    admin = factories.as_admin(await factories.admin())
    member = await factories.member(home=a)
    product = await factories.product()
    now = gql.services.dispatch.now()
    await loyalty.record_purchase(
        factories.as_staff(clerk), now, member_id=member.id, lines=[Line(product.id, 1)], key="k1"
    )
    day = (today(gql.services) + timedelta(days=3)).isoformat()

    made = await gql.data(GENERATE, {"day": day}, as_=admin)
    assert made["callbackTasksGenerate"] == {"created": 1, "errors": []}
    again = await gql.data(GENERATE, {"day": day}, as_=admin)
    assert again["callbackTasksGenerate"] == {"created": 0, "errors": []}

    listed = await gql.data(TASKS, {"due": day}, as_=factories.as_staff(clerk))
    (edge,) = listed["callbackTasks"]["edges"]
    task = edge["node"]
    assert task["kind"] == "FIRST_PURCHASE"
    assert task["status"] == "OPEN"
    assert task["dueOn"] == day
    assert "首次购买后第3天" in task["reason"]
    assert task["member"] == {"name": member.name, "phone": member.phone}
    assert task["store"] == {"code": a.code}

    done = await gql.data(
        COMPLETE,
        {"id": task["id"], "outcome": "REACHED", "note": "宝宝吃得很好"},
        as_=factories.as_staff(clerk),
    )
    payload = done["callbackTaskComplete"]
    assert payload["errors"] == []
    assert payload["task"]["status"] == "DONE"
    assert payload["task"]["outcome"] == "REACHED"
    assert payload["task"]["note"] == "宝宝吃得很好"
    assert payload["task"]["doneBy"] == {"name": clerk.name}
    assert payload["task"]["doneAt"] is not None

    twice = await gql.data(
        COMPLETE, {"id": task["id"], "outcome": "NO_ANSWER"}, as_=factories.as_staff(clerk)
    )
    assert twice["callbackTaskComplete"]["errors"] == [
        {"code": "INVALID_TRANSITION", "field": None}
    ]
    row = await CallbackTask.get(member_id=member.id)
    assert row.outcome == "REACHED"  # the second call changed nothing


async def test_another_stores_task_is_not_found_and_nothing_is_written(gql):
    a, b, _clerk = await _shop()
    task = await _task(a, Kind.FIRST_PURCHASE, today(gql.services))
    other = factories.as_staff(await factories.staff(b))
    result = await gql.data(COMPLETE, {"id": gid(task), "outcome": "REACHED"}, as_=other)
    assert result["callbackTaskComplete"] == {
        "task": None,
        "errors": [{"code": "NOT_FOUND", "field": "id"}],
    }
    await task.refresh_from_db()
    assert (task.status, task.outcome, task.done_by_id) == (CallbackStatus.OPEN, None, None)


async def test_an_admin_cannot_record_a_call(gql):
    a, _b, _clerk = await _shop()
    task = await _task(a, Kind.FIRST_PURCHASE, today(gql.services))
    admin = factories.as_admin(await factories.admin())
    result = await gql.execute(COMPLETE, {"id": gid(task), "outcome": "REACHED"}, as_=admin)
    assert result.errors[0].extensions["code"] == "FORBIDDEN"


_serial = iter(range(1, 10_000))


async def _task(store, kind, due, runs_out=None, member=None):
    member = member or await factories.member(home=store)
    return await CallbackTask.create(
        member_id=member.id,
        store_id=store.id,
        kind=kind,
        due_on=due,
        occasion=f"t{next(_serial)}",
        reason=f"{kind} reason",
        runs_out_on=runs_out,
        created_at=datetime.now(UTC),
    )


async def test_the_list_is_ranked_and_pages_in_that_order(gql):
    a, _b, clerk = await _shop()
    day = today(gql.services)
    lapsed = await _task(a, Kind.LAPSED, day, day - timedelta(days=31))
    first = await _task(a, Kind.FIRST_PURCHASE, day)
    birthday = await _task(a, Kind.BIRTHDAY, day)
    later = await _task(a, Kind.RUN_OUT, day, day + timedelta(days=3))
    sooner = await _task(a, Kind.RUN_OUT, day, day + timedelta(days=1))
    expected = [gid(t) for t in (sooner, later, birthday, first, lapsed)]

    # Without dueOn: today's.
    whole = await gql.data(TASKS, {}, as_=factories.as_staff(clerk))
    assert [e["node"]["id"] for e in whole["callbackTasks"]["edges"]] == expected

    seen, after = [], None
    while True:
        page = await gql.data(TASKS, {"first": 2, "after": after}, as_=factories.as_staff(clerk))
        connection = page["callbackTasks"]
        seen += [e["node"]["id"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == expected


async def test_who_sees_which_stores_tasks(gql):
    a, b, clerk = await _shop()
    day = today(gql.services)
    mine = await _task(a, Kind.BIRTHDAY, day)
    theirs = await _task(b, Kind.BIRTHDAY, day)
    done = await _task(a, Kind.FIRST_PURCHASE, day)
    await CallbackTask.filter(id=done.id).update(status=CallbackStatus.DONE)
    tomorrow = await _task(a, Kind.BIRTHDAY, day + timedelta(days=1))
    staff = factories.as_staff(clerk)
    admin = factories.as_admin(await factories.admin())

    def ids(data):
        return {e["node"]["id"] for e in data["callbackTasks"]["edges"]}

    assert ids(await gql.data(TASKS, {}, as_=staff)) == {gid(mine), gid(done)}
    assert ids(await gql.data(TASKS, {"status": "OPEN"}, as_=staff)) == {gid(mine)}
    nxt = (day + timedelta(days=1)).isoformat()
    assert ids(await gql.data(TASKS, {"due": nxt}, as_=staff)) == {gid(tomorrow)}
    assert ids(await gql.data(TASKS, {}, as_=admin)) == {gid(mine), gid(done), gid(theirs)}
    assert ids(await gql.data(TASKS, {"store": gid(b)}, as_=admin)) == {gid(theirs)}

    refused = await gql.execute(TASKS, {"store": gid(b)}, as_=staff)
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"
    member = factories.as_member(await Member.get(id=mine.member_id))
    denied = await gql.execute(TASKS, {}, as_=member)
    assert denied.errors[0].extensions["code"] == "FORBIDDEN"

    node = "query($id: ID!) { node(id: $id) { id ... on CallbackTask { kind } } }"
    assert (await gql.data(node, {"id": gid(mine)}, as_=staff))["node"]["kind"] == "BIRTHDAY"
    assert (await gql.data(node, {"id": gid(theirs)}, as_=staff))["node"] is None


async def test_days_out_of_range_are_invalid(gql):
    await _shop()
    admin = factories.as_admin(await factories.admin())
    for day in ("1999-12-31", "2101-01-01"):
        made = await gql.data(GENERATE, {"day": day}, as_=admin)
        assert made["callbackTasksGenerate"] == {
            "created": 0,
            "errors": [{"code": "INVALID", "field": "day"}],
        }
        listed = await gql.execute(TASKS, {"due": day}, as_=admin)
        assert listed.errors[0].extensions["code"] == "BAD_USER_INPUT"
    effect = await gql.execute(
        '{ callbackEffect(from: "1999-12-31", to: "2000-01-31") { tasks } }', as_=admin
    )
    assert effect.errors[0].extensions["code"] == "BAD_USER_INPUT"


def _register(store, **extra):
    return {
        "input": {
            "phone": f"1391{next(_serial):07d}",
            "password": PASSWORD,
            "name": "Lin",
            "storeCode": store.code,
            **extra,
        }
    }


@pytest.fixture
async def listening(services) -> AsyncIterator[None]:
    """The CRM hears MemberRegistered, as api.runtime subscribes it."""
    listeners.subscribe(messagebus.bus, services.crm)
    yield
    listeners.unsubscribe(messagebus.bus, services.crm)


async def test_registration_records_the_babies_and_the_birthday(gql, listening):
    a, _b, clerk = await _shop()
    # The welcome runs on the member's joining time, the wall clock's (not the test's clock).
    day = local_day(datetime.now(UTC), gql.services.crm.zone())
    babies = [
        {"name": "Dou", "birthday": (day - timedelta(days=200)).isoformat()},
        {"name": "Mi", "birthday": day.replace(year=day.year - 3).isoformat()},
    ]
    variables = _register(a, birthday="1990-05-01", babies=babies)
    staff = factories.as_staff(clerk)
    result = await gql.data(REGISTER, variables, as_=staff)
    member = result["memberRegister"]["member"]
    assert result["memberRegister"]["errors"] == []
    assert member["birthday"] == "1990-05-01"
    assert member["babies"] == babies
    assert member["registeredBy"] == {"name": clerk.name}
    # A baby born on this day three years ago: today's birthday call, made at registration.
    task = await CallbackTask.get(member__phone=variables["input"]["phone"])
    assert task.kind == Kind.BIRTHDAY
    assert "Mi" in task.reason


async def test_a_bad_birthday_refuses_the_registration_and_writes_nothing(gql):
    a, _b, _clerk = await _shop()
    day = today(gql.services)
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"babies": [{"name": "Dou", "birthday": (day + timedelta(days=1)).isoformat()}]},
            "babies[0].birthday",
        ),
        (
            {"babies": [{"name": "Old", "birthday": day.replace(year=day.year - 19).isoformat()}]},
            "babies[0].birthday",
        ),
        ({"babies": [{"name": " ", "birthday": day.isoformat()}]}, "babies[0].name"),
        ({"birthday": "1899-12-31"}, "birthday"),
        ({"birthday": (day + timedelta(days=1)).isoformat()}, "birthday"),
    ]
    for extra, field in cases:
        variables = _register(a, **extra)
        result = await gql.data(REGISTER, variables)
        assert result["memberRegister"] == {
            "member": None,
            "errors": [{"code": "INVALID", "field": field}],
        }, extra
        assert not await Member.exists(phone=variables["input"]["phone"])
    assert await Baby.all().count() == 0


async def test_babies_and_birthday_are_for_the_member_and_their_home_store(gql):
    a, b, _clerk = await _shop()
    member = await factories.member(home=a)
    await Member.filter(id=member.id).update(birthday=date(1991, 3, 4))
    await Baby.create(member_id=member.id, name="Dou", birthday=date(2025, 1, 2))
    query = (
        "query($p: String!) { memberByPhone(phone: $p) { birthday babies { name } "
        "registeredBy { name } } }"
    )
    other = factories.as_staff(await factories.staff(b))
    seen = await gql.data(query, {"p": member.phone}, as_=other)
    assert seen["memberByPhone"] == {"birthday": None, "babies": [], "registeredBy": None}
    own = await gql.data(
        "{ viewer { member { birthday babies { name } } } }", as_=factories.as_member(member)
    )
    assert own["viewer"]["member"] == {"birthday": "1991-03-04", "babies": [{"name": "Dou"}]}


async def test_a_six_for_one_voucher_has_its_kind(gql):
    a, _b, clerk = await _shop()
    member = await factories.member(home=a)
    pack = await factories.product(member_pack=True)
    await loyalty.record_purchase(
        factories.as_staff(clerk),
        gql.services.dispatch.now(),
        member_id=member.id,
        lines=[Line(pack.id, 6)],
        key="six",
    )
    data = await gql.data(
        "{ viewer { member { vouchers { kind status store { code } validUntil } } } }",
        as_=factories.as_member(member),
    )
    assert data["viewer"]["member"]["vouchers"] == [
        {"kind": "SIX_FOR_ONE", "status": "ISSUED", "store": None, "validUntil": None}
    ]


MESSAGES = """
query($m: ID, $s: MessageStatus) {
  messages(memberId: $m, status: $s) {
    edges { node { id topic body status attempts member { name } } }
  }
}
"""


async def test_admins_read_the_outbox(gql):
    a, _b, clerk = await _shop()
    member = await factories.member(home=a)
    other = await factories.member(home=a)
    now = datetime.now(UTC)
    for who in (member, other):
        await Message.create(
            member_id=who.id,
            topic="BIRTHDAY",
            body="生日快乐",
            key=f"m{who.id}",
            next_attempt_at=now,
            created_at=now,
        )
    admin = factories.as_admin(await factories.admin())
    data = await gql.data(MESSAGES, {"m": gid(member)}, as_=admin)
    (edge,) = data["messages"]["edges"]
    assert edge["node"]["member"] == {"name": member.name}
    assert edge["node"]["status"] == "QUEUED"
    assert (await gql.data(MESSAGES, {"s": "SENT"}, as_=admin))["messages"]["edges"] == []
    refused = await gql.execute(MESSAGES, {}, as_=factories.as_staff(clerk))
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"


async def test_the_effect_of_the_calls(gql):
    a, _b, clerk = await _shop()
    staff = factories.as_staff(clerk)
    day = today(gql.services)
    product = await factories.product()
    reached = await _task(a, Kind.FIRST_PURCHASE, day)
    await _task(a, Kind.BIRTHDAY, day)  # still open: neither side
    await gql.data(COMPLETE, {"id": gid(reached), "outcome": "REACHED"}, as_=staff)
    gql.services.dispatch.clock.advance(3600)
    await loyalty.record_purchase(
        staff,
        gql.services.dispatch.now(),
        member_id=reached.member_id,
        lines=[Line(product.id, 1)],
        key="after-call",
    )
    unworked = await _task(a, Kind.RUN_OUT, day, day + timedelta(days=2))
    await CallbackTask.filter(id=unworked.id).update(status=CallbackStatus.CLOSED)
    admin = factories.as_admin(await factories.admin())
    query = (
        "query($f: Date!, $t: Date!, $s: ID) { callbackEffect(from: $f, to: $t, storeId: $s) "
        "{ from to store { code } tasks done reached reachedBought reachedRate unworked "
        "unworkedBought unworkedRate lift } }"
    )
    data = await gql.data(
        query, {"f": day.isoformat(), "t": day.isoformat(), "s": gid(a)}, as_=admin
    )
    assert data["callbackEffect"] == {
        "from": day.isoformat(),
        "to": day.isoformat(),
        "store": {"code": a.code},
        "tasks": 3,
        "done": 1,
        "reached": 1,
        "reachedBought": 1,
        "reachedRate": "1.0000",
        "unworked": 1,
        "unworkedBought": 0,
        "unworkedRate": "0.0000",
        "lift": "1.0000",
    }
    refused = await gql.execute(query, {"f": day.isoformat(), "t": day.isoformat()}, as_=staff)
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"

"""Events and deadlines go out only once the change they announce has committed.

Faults are put in the database itself: a trigger that fails the change after its statements
ran (on PostgreSQL at COMMIT, by a deferred constraint trigger; on SQLite at the change's
last statement), and on PostgreSQL a deferred trigger that holds the COMMIT until the test
lets it go. The code under test runs unchanged.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import asyncpg
import pytest

from domain.enums import OrderStatus
from domain.orders import decline_order
from domain.orders.models import Order, OrderOffer
from realtime import keys
from realtime.bus import Subscription
from tests import factories
from tests.e2e.server import poll
from tests.orders_helpers import offers_of, place, stores_east

FAULT = "o2o_test_fault"
# The advisory lock the held COMMIT waits for (any number no other code uses).
HOLD_KEY = 720_431


@pytest.fixture
async def world(dispatch):
    first, second = await stores_east(dispatch, 1.0, 2.0)
    member = factories.as_member(await factories.member())
    order = (await place(dispatch, member, await factories.product())).order
    (offer,) = await OrderOffer.filter(order_id=order.id)
    return {
        "stores": (first, second),
        "order": order,
        "offer": offer,
        "clerk": factories.as_staff(await factories.staff(first)),
    }


@pytest.fixture
async def fault(db, backend) -> AsyncIterator[None]:
    """Installs nothing (``add_fault`` does); drops whatever it added afterwards."""
    yield
    conn = db.db()
    if backend.is_postgres:
        await conn.execute_script(
            f"DROP TRIGGER IF EXISTS {FAULT} ON order_offer; DROP FUNCTION IF EXISTS {FAULT}();"
        )
    else:
        await conn.execute_script(f"DROP TRIGGER IF EXISTS {FAULT}")


async def add_fault(db, backend, body: str = "RAISE EXCEPTION 'injected fault';") -> None:
    """A trigger on new offers: on PostgreSQL a deferred one, run at COMMIT (``body``, PL/pgSQL);
    on SQLite one that fails the INSERT itself, the last statement of a re-route."""
    conn = db.db()
    if backend.is_postgres:
        await conn.execute_script(
            f"""
CREATE FUNCTION {FAULT}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {body} RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER {FAULT} AFTER INSERT ON order_offer
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {FAULT}();
"""
        )
    else:
        await conn.execute_script(
            f"CREATE TRIGGER {FAULT} BEFORE INSERT ON order_offer "
            "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        )


async def listening(dispatch, world) -> tuple[AsyncExitStack, dict[str, Subscription]]:
    """Subscriptions to every channel a decline publishes on."""
    first, second = world["stores"]
    channels = {
        "first": keys.store_events(first.id),
        "second": keys.store_events(second.id),
        "order": keys.order_events(world["order"].id),
        "unassigned": keys.UNASSIGNED_EVENTS,
    }
    stack = AsyncExitStack()
    subs = {
        name: await stack.enter_async_context(dispatch.bus.subscribe(channel))
        for name, channel in channels.items()
    }
    return stack, subs


def sent(subs: dict[str, Subscription]) -> list[str]:
    """The subscriptions something was delivered to (delivery is synchronous on publishing)."""
    return [name for name, sub in subs.items() if not sub.empty()]


async def test_a_decline_that_fails_after_its_statements_sends_nothing(
    db, backend, dispatch, redis, world, fault
):
    first, second = world["stores"]
    order, offer = world["order"], world["offer"]
    due = await redis.zscore(keys.DEADLINES_DUE, keys.offer_deadline(offer.id))
    await add_fault(db, backend)
    stack, subs = await listening(dispatch, world)
    async with stack:
        # The offer was marked DECLINED, the order moved and the next offer written, in that
        # order (its WITHDRAWN event gathered on the way); then the transaction failed.
        with pytest.raises(Exception, match="injected fault"):
            await decline_order(dispatch, world["clerk"], order.id, "busy")
        assert sent(subs) == []
        assert await offers_of(order) == [(first.id, "PENDING")]
        now = await Order.get(id=order.id)
        assert (now.status, now.store_id) == (OrderStatus.PENDING, first.id)
        # The deadline was neither cancelled nor joined by the next offer's.
        assert await redis.zscore(keys.DEADLINES_DUE, keys.offer_deadline(offer.id)) == due
        assert await dispatch.deadlines.depth() == (1, 0)

        # Without the fault the same decline goes through, and the same subscriptions hear it.
        await db.db().execute_script(
            f"DROP TRIGGER {FAULT} ON order_offer"
            if backend.is_postgres
            else f"DROP TRIGGER {FAULT}"
        )
        await decline_order(dispatch, world["clerk"], order.id, "busy")
        assert sorted(sent(subs)) == ["first", "order", "second"]
        assert (await subs["first"].get())["kind"] == "WITHDRAWN"
        assert (await subs["second"].get())["kind"] == "OFFERED"
    assert await offers_of(order) == [(first.id, "DECLINED"), (second.id, "PENDING")]


async def test_nothing_is_sent_while_the_commit_waits_and_each_event_finds_its_change(
    db, backend, dispatch, redis, world, fault
):
    if not backend.is_postgres:
        pytest.skip("a COMMIT held by a deferred trigger needs PostgreSQL")
    second = world["stores"][1]
    order, offer = world["order"], world["offer"]
    due = await redis.zscore(keys.DEADLINES_DUE, keys.offer_deadline(offer.id))
    await add_fault(db, backend, f"PERFORM pg_advisory_xact_lock({HOLD_KEY});")
    holder = await asyncpg.connect(backend.database_url)  # holds the lock the COMMIT waits for
    reader = await asyncpg.connect(backend.database_url)  # another process's view
    reading = asyncio.Lock()  # one query at a time on the reader's connection
    seen: list[tuple[str, int, str, str | None]] = []

    async def read_on_arrival(name: str, sub: Subscription) -> None:
        """On each event, at once: the announced offer's status as another connection sees it."""
        while True:
            event = await sub.get()
            async with reading:
                status = await reader.fetchval(
                    "SELECT status FROM order_offer WHERE id = $1", event["offer"]
                )
            seen.append((name, event["offer"], event["rows"]["offer"]["status"], status))

    stack, subs = await listening(dispatch, world)
    readers = [
        asyncio.create_task(read_on_arrival(name, subs[name])) for name in ("first", "second")
    ]
    try:
        async with stack:
            await holder.execute("SELECT pg_advisory_lock($1)", HOLD_KEY)
            declining = asyncio.create_task(
                decline_order(dispatch, world["clerk"], order.id, "busy")
            )

            async def commit_waiting() -> bool:
                waiting = await holder.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                )
                return waiting > 0

            await poll(commit_waiting, timeout=10)
            # Every statement has run and the COMMIT has begun: nothing may be out yet.
            assert sent(subs) == []
            assert seen == []
            assert not declining.done()
            assert await redis.zscore(keys.DEADLINES_DUE, keys.offer_deadline(offer.id)) == due
            assert await dispatch.deadlines.depth() == (1, 0)
            await holder.execute("SELECT pg_advisory_unlock($1)", HOLD_KEY)
            await asyncio.wait_for(declining, 10)

            async def both_read() -> bool:
                for task in readers:  # a reader that failed fails the test with its error
                    if task.done():
                        task.result()
                return len(seen) == 2

            await poll(both_read, timeout=5)
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await holder.close()
        await reader.close()
    (_, new_offer) = await offers_of(order)
    new_id = (await OrderOffer.get(order_id=order.id, store_id=second.id)).id
    assert new_offer == (second.id, "PENDING")
    assert sorted(seen) == [
        ("first", offer.id, "DECLINED", "DECLINED"),
        ("second", new_id, "PENDING", "PENDING"),
    ]

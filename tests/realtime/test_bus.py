import asyncio
import contextlib
from collections.abc import AsyncIterator

from realtime.bus import EventBus
from realtime.client import Redis


@contextlib.asynccontextmanager
async def started(*clients: Redis) -> AsyncIterator[list[EventBus]]:
    """A started bus on each client, as each API process holds one; closed on the way out."""
    buses = [EventBus(client) for client in clients]
    try:
        for bus in buses:
            await bus.start()
        yield buses
    finally:
        for bus in buses:
            await bus.close()


async def test_messages_reach_local_subscribers_of_their_channel_only(bus):
    async with bus.subscribe("{o2o}:events:a") as a, bus.subscribe("{o2o}:events:b") as b:
        await bus.publish("{o2o}:events:a", {"n": 1})
        await bus.publish("{o2o}:events:b", {"n": 2})
        assert await asyncio.wait_for(anext(aiter(a)), 5) == {"n": 1}
        assert await asyncio.wait_for(anext(aiter(b)), 5) == {"n": 2}
    assert bus.subscriber_count == 0


async def test_two_buses_on_one_redis_see_each_others_messages(redis):
    """Two API processes share a Redis: an event published by one reaches the other."""
    async with started(redis, redis) as (one, two), two.subscribe("{o2o}:events:x") as events:
        await one.publish("{o2o}:events:x", {"from": "one"})
        assert await asyncio.wait_for(anext(aiter(events)), 5) == {"from": "one"}


async def test_buses_on_other_databases_of_one_server_do_not_hear_each_other(redis):
    """Channels are server-wide; the bus scopes them to its database so deployments stay apart."""
    pool = redis.connection_pool
    kwargs = {**pool.connection_kwargs, "db": (pool.connection_kwargs["db"] + 1) % 16}
    other_db = type(redis)(
        connection_pool=type(pool)(connection_class=pool.connection_class, **kwargs)
    )
    try:
        async with (
            started(redis, other_db) as (here, there),
            there.subscribe("{o2o}:events:x") as theirs,
            here.subscribe("{o2o}:events:x") as ours,
        ):
            await here.publish("{o2o}:events:x", {"n": 1})
            await there.publish("{o2o}:events:x", {"n": 2})
            assert await asyncio.wait_for(anext(aiter(ours)), 5) == {"n": 1}
            assert await asyncio.wait_for(anext(aiter(theirs)), 5) == {"n": 2}
            assert ours.empty()
            assert theirs.empty()
    finally:
        await other_db.aclose()


async def test_a_stalled_subscriber_is_told_to_resync_instead_of_growing(redis):
    from realtime.bus import QUEUE_LIMIT, RESYNC

    bus = EventBus(redis)
    async with bus.subscribe("{o2o}:events:x") as stalled:
        for n in range(QUEUE_LIMIT + 1):
            stalled.deliver({"n": n})
        assert await stalled.get() == RESYNC
        assert stalled.empty()
        stalled.deliver({"n": "after"})
        assert await stalled.get() == {"n": "after"}


async def test_messages_published_together_arrive_in_order_each_on_its_channel(bus, redis):
    async with bus.subscribe("{o2o}:events:a") as a, bus.subscribe("{o2o}:events:b") as b:
        messages = [
            ("{o2o}:events:a", {"n": 1}),
            ("{o2o}:events:b", {"n": 2}),
            ("{o2o}:events:nobody", {"n": 3}),
            ("{o2o}:events:a", {"n": 4}),
        ]
        async with bus.pipeline() as pipe:
            bus.add_publish(pipe, messages)
            bus.add_publish(pipe, [])  # nothing to send: nothing published
            assert len(pipe) == 1
            await pipe.execute()
        assert a.empty()  # sent, but not yet said to be
        bus.published(messages)
        got = [await asyncio.wait_for(s.get(), 5) for s in (a, a, b)]
        assert got == [{"n": 1}, {"n": 4}, {"n": 2}]
        assert a.empty()
        assert b.empty()


async def test_a_malformed_batch_or_event_is_dropped_and_reading_goes_on(bus, redis):
    from realtime import keys
    from realtime.client import database_index

    channel = keys.scoped(keys.EVENTS, database_index(redis))
    async with bus.subscribe("{o2o}:events:a") as a:
        junk = [
            "not json",
            'elsewhere {"a": 1}',
            '[["{o2o}:events:a", {"n": 0}]]',  # no sender
            'elsewhere [["{o2o}:events:a"], 5, ["{o2o}:events:a", 7]]',
        ]
        for data in junk:
            await redis.publish(channel, data)
        await bus.publish("{o2o}:events:a", {"n": "after"})
        assert await asyncio.wait_for(a.get(), 5) == {"n": "after"}
        assert a.empty()


async def test_a_process_gets_its_own_messages_once_and_others_get_them_through_redis(redis):
    async with (
        started(redis, redis) as (here, there),
        here.subscribe("{o2o}:events:x") as ours,
        there.subscribe("{o2o}:events:x") as theirs,
    ):
        await here.publish("{o2o}:events:x", {"n": 1})
        assert not ours.empty()  # handed over as soon as Redis took it
        assert await asyncio.wait_for(theirs.get(), 5) == {"n": 1}
        await there.publish("{o2o}:events:x", {"n": 2})  # after the echo of 1, if any
        assert await asyncio.wait_for(ours.get(), 5) == {"n": 1}
        assert await asyncio.wait_for(ours.get(), 5) == {"n": 2}
        assert ours.empty()
        assert await theirs.get() == {"n": 2}
        assert theirs.empty()


async def test_a_listener_is_called_with_each_message_of_its_channel_as_it_arrives(redis):
    """Listeners (the process's own machinery) hear their own process at once and the others
    through Redis; they are not subscribers, and one that fails stops nothing."""
    heard: list[dict] = []
    arrived = asyncio.Event()

    def listener(message: dict) -> None:
        heard.append(message)
        arrived.set()

    def broken(message: dict) -> None:
        raise RuntimeError("a listener's own bug")

    async with started(redis, redis) as (here, there):
        with here.listen("{o2o}:events:r", broken), here.listen("{o2o}:events:r", listener):
            assert here.subscriber_count == 0
            await here.publish("{o2o}:events:r", {"n": 1})
            assert heard == [{"n": 1}]  # called before publish returned
            await here.publish("{o2o}:events:other", {"n": 0})
            await there.publish("{o2o}:events:r", {"n": 2})
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 5)
            assert heard == [{"n": 1}, {"n": 2}]
        await here.publish("{o2o}:events:r", {"n": 3})
        assert heard == [{"n": 1}, {"n": 2}]

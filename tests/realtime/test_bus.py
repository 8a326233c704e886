import asyncio

from realtime.bus import EventBus


async def test_messages_reach_local_subscribers_of_their_channel_only(bus):
    async with bus.subscribe("{o2o}:events:a") as a, bus.subscribe("{o2o}:events:b") as b:
        await bus.publish("{o2o}:events:a", {"n": 1})
        await bus.publish("{o2o}:events:b", {"n": 2})
        assert await asyncio.wait_for(anext(aiter(a)), 5) == {"n": 1}
        assert await asyncio.wait_for(anext(aiter(b)), 5) == {"n": 2}
    assert bus.subscriber_count == 0


async def test_two_buses_on_one_redis_see_each_others_messages(redis):
    """Two API processes share a Redis: an event published by one reaches the other."""
    one, two = EventBus(redis), EventBus(redis)
    await one.start()
    await two.start()
    try:
        async with two.subscribe("{o2o}:events:x") as events:
            await one.publish("{o2o}:events:x", {"from": "one"})
            assert await asyncio.wait_for(anext(aiter(events)), 5) == {"from": "one"}
    finally:
        await one.close()
        await two.close()

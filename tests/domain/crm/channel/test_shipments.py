"""shipmentRecord's rules: codes by format, each shipped once, only into the territory."""

import asyncio

import pytest

from domain.crm.channel import shipments
from domain.crm.channel.models import Shipment, ShippedUnit
from domain.errors import DomainError, ErrorCode, Forbidden
from tests.domain.crm.channel.helpers import codes


async def ship(c, dispatch, serials, *, key="s1", store=None, product=None, actor=None):
    return await shipments.record_shipment(
        actor or c.admin,
        dispatch.now(),
        distributor_id=c.distributor.id,
        store_id=(store or c.inside).id,
        product_id=(product or c.milk).id,
        serials=serials,
        key=key,
    )


async def test_codes_are_recorded_once_and_repeats_and_malformed_ones_rejected(channel, dispatch):
    c = channel
    first = await ship(c, dispatch, codes("A", 3))
    assert first.shipment is not None
    assert first.shipment.units == 3
    assert first.shipment.unit_price == c.milk.price
    assert first.rejected == []
    mixed = ["A-00000001", "bad code", "short", "B-00000001", "B-00000001", "b-lower-case"]
    second = await ship(c, dispatch, mixed, key="s2")
    assert second.shipment is not None
    assert second.shipment.units == 1
    assert second.rejected == ["A-00000001", "bad code", "short", "B-00000001", "b-lower-case"]
    assert await ShippedUnit.filter(code="B-00000001").count() == 1
    assert await ShippedUnit.all().count() == 4


async def test_a_call_recording_nothing_writes_nothing(channel, dispatch):
    await ship(channel, dispatch, codes("A", 2))
    again = await ship(channel, dispatch, [*codes("A", 2), "x"], key="s2")
    assert again.shipment is None
    assert again.rejected == [*codes("A", 2), "x"]
    assert await Shipment.all().count() == 1


async def test_a_repeated_key_returns_the_first_shipment_and_writes_nothing(channel, dispatch):
    first = await ship(channel, dispatch, [*codes("A", 2), "bad"])
    again = await ship(channel, dispatch, [*codes("A", 2), "bad"])
    assert again.repeated
    assert again.shipment is not None
    assert first.shipment is not None
    assert again.shipment.id == first.shipment.id
    assert again.rejected == ["bad"]
    assert await Shipment.all().count() == 1
    with pytest.raises(DomainError) as refused:
        await ship(channel, dispatch, codes("C", 2))
    assert refused.value.code is ErrorCode.DUPLICATE


async def test_a_store_outside_the_territory_is_invalid(channel, dispatch):
    with pytest.raises(DomainError) as refused:
        await ship(channel, dispatch, codes("A", 2), store=channel.outside)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID, "storeId")
    assert await ShippedUnit.all().count() == 0


async def test_a_distributor_records_its_own_shipments_only(channel, dispatch):
    own = await ship(channel, dispatch, codes("A", 1), actor=channel.as_distributor)
    assert own.shipment is not None
    with pytest.raises(Forbidden):
        await ship(channel, dispatch, codes("B", 1), key="s2", actor=channel.as_other)
    with pytest.raises(Forbidden):
        await ship(channel, dispatch, codes("B", 1), key="s3", actor=channel.clerk)


async def test_too_many_codes_in_one_call_are_refused(channel, dispatch):
    with pytest.raises(DomainError) as refused:
        await ship(channel, dispatch, codes("A", shipments.MAX_CODES + 1))
    assert refused.value.field == "serials"


async def test_ten_thousand_codes_in_one_call(channel, dispatch):
    recorded = await ship(channel, dispatch, codes("BIG", shipments.MAX_CODES))
    assert recorded.shipment is not None
    assert recorded.shipment.units == shipments.MAX_CODES
    assert await ShippedUnit.filter(shipment_id=recorded.shipment.id).count() == 10_000


async def test_two_shipments_racing_for_the_same_codes_record_each_once(channel, dispatch):
    both = await asyncio.gather(
        ship(channel, dispatch, codes("R", 50), key="r1"),
        ship(channel, dispatch, codes("R", 50), key="r2"),
    )
    recorded = sum(r.shipment.units for r in both if r.shipment is not None)
    assert recorded == 50
    assert sorted(len(r.rejected) for r in both) == [0, 50]
    assert await ShippedUnit.all().count() == 50

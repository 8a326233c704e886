"""The scrape-time figures of /metrics, read from a real database and Redis."""

from types import SimpleNamespace

from prometheus_client import CollectorRegistry, generate_latest

from api.metrics import Snapshot, SnapshotCollector, snapshot
from domain import orders
from domain.crm.channel import alerts, shipments
from domain.loyalty import record_purchase
from domain.orders.models import OrderOffer
from domain.stores.lines import Line
from tests import factories
from tests.domain.crm.channel.helpers import channel, codes

__all__ = ["channel"]  # the fixture, for the alerts' test
from tests.orders_helpers import place, stores_east


async def scraped(db, services) -> Snapshot:
    # The two attributes /metrics reads from the application's state, without an HTTP server.
    state = SimpleNamespace(services=services, db_client=db.db())
    return await snapshot(SimpleNamespace(app=SimpleNamespace(state=state)))  # type: ignore[arg-type]


async def test_lateness_is_how_far_past_due_the_earliest_deadline_is(db, services, clock):
    await services.dispatch.deadlines.schedule("offer:999", clock.now() - 5)
    state = await scraped(db, services)
    assert state.lateness_seconds == 5
    assert (state.deadlines_waiting, state.deadlines_in_flight) == (1, 0)


async def test_offers_are_counted_by_how_they_ended(db, services, dispatch):
    await stores_east(dispatch, 1.0, 2.0)
    member = factories.as_member(await factories.member())
    placed = await place(dispatch, member, await factories.product())
    offer = await OrderOffer.get(order_id=placed.order.id)
    clerk = await factories.staff(await offer.store)
    await orders.decline_order(dispatch, factories.as_staff(clerk), placed.order.id, "busy")
    state = await scraped(db, services)
    assert state.offers_by_status == {"DECLINED": 1, "PENDING": 1}
    assert (state.offers_made, state.orders_offered, state.unassigned) == (2, 1, 0)


async def test_diversion_alerts_are_counted_by_kind_and_status(channel, db, services, dispatch):
    c = channel
    await shipments.record_shipment(
        c.admin,
        dispatch.now(),
        distributor_id=c.other.id,
        store_id=c.outside.id,
        product_id=c.milk.id,
        serials=codes("SOUTH", 2),
        key="south",
    )
    # Two codes of the other territory's and one never shipped, sold at c.inside.
    earned = await record_purchase(
        c.clerk,
        dispatch.now(),
        member_id=c.member.id,
        lines=[Line(c.milk.id, 3)],
        key="sale",
        serials=[*codes("SOUTH", 2), "NEVER-SHIPPED"],
    )
    first = earned.scans[0].alert_id
    assert first is not None
    await alerts.resolve_alert(c.admin, dispatch.now(), alert_id=first, confirmed=True, note=None)
    state = await scraped(db, services)
    assert state.alerts == {
        ("DIVERTED", "OPEN"): 1,
        ("DIVERTED", "CONFIRMED"): 1,
        ("UNKNOWN_SERIAL", "OPEN"): 1,
    }
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(state))
    lines = generate_latest(registry).decode().splitlines()
    found = [line for line in lines if line.startswith("o2o_diversion_alerts{")]
    assert len(found) == 9  # every kind and status, 0 included
    assert 'o2o_diversion_alerts{kind="DIVERTED",status="OPEN"} 1.0' in found
    assert 'o2o_diversion_alerts{kind="DIVERTED",status="CONFIRMED"} 1.0' in found
    assert 'o2o_diversion_alerts{kind="UNKNOWN_SERIAL",status="OPEN"} 1.0' in found
    assert 'o2o_diversion_alerts{kind="DUPLICATE_SCAN",status="OPEN"} 0.0' in found

"""The scrape-time figures of /metrics, read from a real database and Redis."""

from types import SimpleNamespace

from api.metrics import Snapshot, snapshot
from domain import orders
from domain.orders.models import OrderOffer
from tests import factories
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

"""Routing and the offer timer, on the injected clock."""

import pytest

from domain.enums import OrderStatus
from domain.errors import DomainError, ErrorCode, Forbidden, Invalid
from domain.orders import (
    accept_order,
    assign_order,
    decline_order,
    expire_offer,
    offer_waiting_orders,
    place_order,
)
from domain.orders.models import Order
from domain.stores.lines import Line
from domain.stores.models import Store
from tests import factories
from tests.orders_helpers import offers_of, place, refreshed, stores_east


@pytest.fixture
async def product(db):
    return await factories.product("99.00")


async def worker_pass(dispatch, redis):
    from api.worker import deadline_worker

    return await deadline_worker(dispatch, redis).run_once()


async def test_the_nearest_store_gets_the_offer(dispatch, product):
    _far, near = await stores_east(dispatch, 3.0, 1.0)
    member = factories.as_member(await factories.member())
    placed = await place(dispatch, member, product)
    assert not placed.unassigned
    assert placed.order.store_id == near.id
    assert await offers_of(placed.order) == [(near.id, "PENDING")]
    assert str(placed.order.total) == "198.00"


async def test_the_home_store_comes_before_a_nearer_one(dispatch, product):
    home, _near = await stores_east(dispatch, 4.0, 0.5)
    member = factories.as_member(await factories.member(home))
    placed = await place(dispatch, member, product)
    assert placed.order.store_id == home.id


async def test_a_home_store_that_does_not_cover_the_address_is_skipped(dispatch, product):
    home, near = await stores_east(dispatch, 4.0, 0.5)
    await Store.filter(id=home.id).update(service_radius_km=2.0)
    member = factories.as_member(await factories.member(home))
    assert (await place(dispatch, member, product)).order.store_id == near.id


async def test_decline_moves_the_order_to_the_next_store(dispatch, product):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    clerk_a = factories.as_staff(await factories.staff(a))
    member = factories.as_member(await factories.member())
    order = (await place(dispatch, member, product)).order
    await decline_order(dispatch, clerk_a, order.id, "out of stock")
    assert await offers_of(order) == [(a.id, "DECLINED"), (b.id, "PENDING")]
    assert (await refreshed(order)).store_id == b.id


async def test_expiry_moves_the_order_on_and_all_tried_leaves_it_unassigned(
    dispatch, redis, clock, product
):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    await stores_east(dispatch, 30.0)  # too far for its 5 km radius
    member = factories.as_member(await factories.member())
    order = (await place(dispatch, member, product)).order
    assert await worker_pass(dispatch, redis) == 0  # nothing due yet
    clock.advance(59.9)
    assert await worker_pass(dispatch, redis) == 0
    clock.advance(0.2)
    assert await worker_pass(dispatch, redis) == 1
    assert await offers_of(order) == [(a.id, "EXPIRED"), (b.id, "PENDING")]
    clock.advance(61)
    assert await worker_pass(dispatch, redis) == 1
    assert await offers_of(order) == [(a.id, "EXPIRED"), (b.id, "EXPIRED")]
    final = await refreshed(order)
    assert (final.status, final.store_id) == (OrderStatus.UNASSIGNED, None)
    assert await dispatch.deadlines.depth() == (0, 0)


async def test_no_store_in_reach_saves_the_order_unassigned(dispatch, product):
    await stores_east(dispatch, 40.0)
    member = factories.as_member(await factories.member())
    placed = await place(dispatch, member, product)
    assert placed.unassigned
    assert placed.order.status is OrderStatus.UNASSIGNED
    assert await offers_of(placed.order) == []


async def test_a_store_resuming_picks_up_waiting_orders(dispatch, product):
    (paused,) = await stores_east(dispatch, 1.0)
    await Store.filter(id=paused.id).update(accepting_orders=False)
    member = factories.as_member(await factories.member())
    order = (await place(dispatch, member, product)).order
    assert order.status is OrderStatus.UNASSIGNED
    await Store.filter(id=paused.id).update(accepting_orders=True)
    assert await offer_waiting_orders(dispatch, await Store.get(id=paused.id)) == 1
    assert await offers_of(order) == [(paused.id, "PENDING")]
    assert (await refreshed(order)).status is OrderStatus.PENDING
    assert await offer_waiting_orders(dispatch, await Store.get(id=paused.id)) == 0


async def test_a_resuming_store_takes_every_waiting_order_in_its_radius_and_no_other(
    dispatch, product, monkeypatch
):
    from domain.orders import offers

    monkeypatch.setattr(offers, "WAITING_ORDERS_PAGE", 2)  # five orders span three pages
    (store,) = await stores_east(dispatch, 1.0)
    await Store.filter(id=store.id).update(accepting_orders=False)
    member = factories.as_member(await factories.member())

    async def waiting_at(lat: float, lng: float) -> Order:
        placed = await place_order(
            dispatch,
            member,
            lines=[Line(product.id, 1)],
            delivery_address="elsewhere",
            latitude=lat,
            longitude=lng,
        )
        assert placed.order.status is OrderStatus.UNASSIGNED
        return placed.order

    corner = await waiting_at(store.latitude + 0.04, store.longitude + 0.04)  # ~6 km: boxed
    near = [(await place(dispatch, member, product)).order for _ in range(5)]
    far = await waiting_at(store.latitude + 1.0, store.longitude)
    await Store.filter(id=store.id).update(accepting_orders=True)
    assert await offer_waiting_orders(dispatch, await Store.get(id=store.id)) == 5
    for order in near:
        assert await offers_of(order) == [(store.id, "PENDING")]
    for order in (corner, far):
        assert (await refreshed(order)).status is OrderStatus.UNASSIGNED
        assert await offers_of(order) == []


@pytest.mark.parametrize("answer", ["accept", "decline"])
async def test_an_answer_after_the_window_is_refused_and_the_worker_moves_on(
    dispatch, redis, clock, product, answer
):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    clerk_a = factories.as_staff(await factories.staff(a))
    order = (await place(dispatch, factories.as_member(await factories.member()), product)).order

    async def respond() -> None:
        if answer == "accept":
            await accept_order(dispatch, clerk_a, order.id)
        else:
            await decline_order(dispatch, clerk_a, order.id, "too late")

    clock.advance(61)
    with pytest.raises(DomainError) as late:
        await respond()
    assert late.value.code is ErrorCode.OFFER_NOT_PENDING
    assert await offers_of(order) == [(a.id, "PENDING")]  # the refusal wrote nothing
    assert await worker_pass(dispatch, redis) == 1
    assert await offers_of(order) == [(a.id, "EXPIRED"), (b.id, "PENDING")]
    with pytest.raises(DomainError) as again:
        await respond()
    assert again.value.code is ErrorCode.OFFER_NOT_PENDING


async def test_a_decline_whose_reason_holds_a_nul_is_refused_and_changes_nothing(dispatch, product):
    (a,) = await stores_east(dispatch, 1.0)
    clerk_a = factories.as_staff(await factories.staff(a))
    order = (await place(dispatch, factories.as_member(await factories.member()), product)).order
    with pytest.raises(Invalid) as refused:
        await decline_order(dispatch, clerk_a, order.id, "out of\x00stock")
    assert refused.value.field == "reason"
    assert await offers_of(order) == [(a.id, "PENDING")]


async def test_only_the_offered_store_accepts(dispatch, product):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    clerk_b = factories.as_staff(await factories.staff(b))
    order = (await place(dispatch, factories.as_member(await factories.member()), product)).order
    with pytest.raises(Forbidden):
        await accept_order(dispatch, clerk_b, order.id)
    clerk_a = factories.as_staff(await factories.staff(a))
    accepted = await accept_order(dispatch, clerk_a, order.id)
    assert (accepted.status, accepted.store_id) == (OrderStatus.ACCEPTED, a.id)
    assert await dispatch.deadlines.depth() == (0, 0)
    with pytest.raises(DomainError) as again:
        await accept_order(dispatch, clerk_a, order.id)
    assert again.value.code is ErrorCode.OFFER_NOT_PENDING


async def test_an_expiry_that_lost_the_race_changes_nothing(dispatch, clock, product):
    (a,) = await stores_east(dispatch, 1.0)
    order = (await place(dispatch, factories.as_member(await factories.member()), product)).order
    await accept_order(dispatch, factories.as_staff(await factories.staff(a)), order.id)
    offer_id = (await order.offers.all())[0].id  # type: ignore[attr-defined]
    clock.advance(120)
    assert await expire_offer(dispatch, offer_id) is False
    assert await offers_of(order) == [(a.id, "ACCEPTED")]


async def test_an_admin_assigns_an_unassigned_order(dispatch, product):
    await stores_east(dispatch, 40.0)
    target = await factories.store()
    order = (await place(dispatch, factories.as_member(await factories.member()), product)).order
    admin = factories.as_admin(await factories.admin())
    assigned = await assign_order(dispatch, admin, order.id, target.id)
    assert (assigned.status, assigned.store_id) == (OrderStatus.PENDING, target.id)
    assert await offers_of(order) == [(target.id, "PENDING")]


async def test_an_accepted_order_cannot_be_assigned_and_nothing_changes(dispatch, product):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    order = (await place(dispatch, factories.as_member(await factories.member()), product)).order
    await accept_order(dispatch, factories.as_staff(await factories.staff(a)), order.id)
    admin = factories.as_admin(await factories.admin())
    with pytest.raises(DomainError) as refused:
        await assign_order(dispatch, admin, order.id, b.id)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION
    after = await refreshed(order)
    assert (after.status, after.store_id) == (OrderStatus.ACCEPTED, a.id)
    assert await offers_of(order) == [(a.id, "ACCEPTED")]


async def test_a_paused_home_store_is_passed_over(dispatch, product):
    home, near = await stores_east(dispatch, 0.5, 1.0)
    await Store.filter(id=home.id).update(accepting_orders=False)
    member = factories.as_member(await factories.member(home))
    assert (await place(dispatch, member, product)).order.store_id == near.id


async def test_a_far_home_store_beats_many_nearer_ones(dispatch, product):
    from domain.orders.routing import NEAREST_FIRST

    nearer = [0.1 + i * 0.02 for i in range(NEAREST_FIRST + 5)]
    *_crowd, home = await stores_east(dispatch, *nearer, 4.0)
    member = factories.as_member(await factories.member(home))
    assert (await place(dispatch, member, product)).order.store_id == home.id


async def test_when_the_nearest_stores_are_all_paused_a_farther_one_serves(dispatch, product):
    from domain.orders.routing import NEAREST_FIRST

    *crowd, far = await stores_east(dispatch, *[0.1 + i * 0.01 for i in range(NEAREST_FIRST)], 4.5)
    await Store.filter(id__in=[s.id for s in crowd]).update(accepting_orders=False)
    member = factories.as_member(await factories.member())
    assert (await place(dispatch, member, product)).order.store_id == far.id


async def test_offers_falling_due_together_expire_together(dispatch, redis, clock, product):
    a, b, c = await stores_east(dispatch, 1.0, 2.0, 3.0)
    home_c = factories.as_member(await factories.member(c))
    orders = [(await place(dispatch, home_c, product)).order]
    for _ in range(3):
        orders.append(
            (await place(dispatch, factories.as_member(await factories.member()), product)).order
        )
    clock.advance(61)
    assert await worker_pass(dispatch, redis) == 4
    assert await offers_of(orders[0]) == [(c.id, "EXPIRED"), (a.id, "PENDING")]
    for order in orders[1:]:
        assert await offers_of(order) == [(a.id, "EXPIRED"), (b.id, "PENDING")]
        assert (await refreshed(order)).store_id == b.id
    assert await dispatch.deadlines.depth() == (4, 0)  # the new offers' deadlines


async def test_a_batch_with_a_broken_order_still_expires_the_others(
    dispatch, redis, clock, product
):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    member = factories.as_member(await factories.member())
    broken, fine = [(await place(dispatch, member, product)).order for _ in range(2)]
    # Not a state the API can make: a delivered order whose offer is still pending.
    await Order.filter(id=broken.id).update(status=OrderStatus.DELIVERED)
    clock.advance(61)
    assert await worker_pass(dispatch, redis) == 2
    assert await offers_of(fine) == [(a.id, "EXPIRED"), (b.id, "PENDING")]
    assert await offers_of(broken) == [(a.id, "PENDING")]
    assert await dispatch.deadlines.depth() == (1, 1)  # the broken one waits for a retry


async def test_a_batch_routes_some_orders_on_and_leaves_others_unassigned(
    dispatch, redis, clock, product
):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    member = factories.as_member(await factories.member())
    stuck, moving = [(await place(dispatch, member, product)).order for _ in range(2)]
    await dispatch_decline(dispatch, b, stuck)  # b has had it: stuck has nowhere left after a
    clock.advance(61)
    assert await worker_pass(dispatch, redis) == 2
    assert await offers_of(stuck) == [(a.id, "EXPIRED"), (b.id, "DECLINED")]
    assert (await refreshed(stuck)).status is OrderStatus.UNASSIGNED
    assert (await refreshed(stuck)).store_id is None
    assert await offers_of(moving) == [(a.id, "EXPIRED"), (b.id, "PENDING")]
    assert (await refreshed(moving)).status is OrderStatus.PENDING


async def dispatch_decline(dispatch, store, order):
    """Record that ``store`` was offered ``order`` before (as a decline leaves it)."""
    from domain.enums import OfferStatus
    from domain.orders.models import OrderOffer

    await OrderOffer.create(
        order_id=order.id,
        store_id=store.id,
        status=OfferStatus.DECLINED,
        offered_at=dispatch.now(),
        expires_at=dispatch.now(),
    )


async def test_an_offer_accepted_as_its_batch_starts_stays_accepted(
    dispatch, redis, clock, product
):
    a, b = await stores_east(dispatch, 1.0, 2.0)
    clerk = factories.as_staff(await factories.staff(a))
    member = factories.as_member(await factories.member())
    taken, other = [(await place(dispatch, member, product)).order for _ in range(2)]
    await accept_order(dispatch, clerk, taken.id)
    clock.advance(61)
    # The accepted offer's deadline was cancelled; put it back, as a late claim would find it.
    await dispatch.deadlines.schedule(f"offer:{(await first_offer(taken)).id}", clock.now())
    assert await worker_pass(dispatch, redis) == 2
    assert await offers_of(taken) == [(a.id, "ACCEPTED")]
    assert (await refreshed(taken)).status is OrderStatus.ACCEPTED
    assert await offers_of(other) == [(a.id, "EXPIRED"), (b.id, "PENDING")]


async def first_offer(order):
    from domain.orders.models import OrderOffer

    return await OrderOffer.filter(order_id=order.id).order_by("id").first()

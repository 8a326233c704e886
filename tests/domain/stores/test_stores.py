import pytest

from domain.enums import StaffRole
from domain.errors import Duplicate, Forbidden, Invalid, NotFound
from domain.stores import network as stores
from domain.stores.models import Store
from tests import factories


async def test_the_index_ranks_stores_by_distance(db, redis):
    far = await factories.store(latitude=23.40, longitude=113.22)
    near = await factories.store(latitude=23.131, longitude=113.321)
    mid = await factories.store(latitude=23.10, longitude=113.45)
    index = stores.store_index(redis)
    assert await stores.rebuild_store_index(index) == 3
    ranked = await stores.stores_by_distance(index, 23.13, 113.32)
    assert [s.id for s, _ in ranked] == [near.id, mid.id, far.id]
    assert ranked[0][1] < 0.5 < ranked[1][1] < ranked[2][1]


async def test_a_rebuild_drops_stores_that_closed(db, redis):
    kept = await factories.store()
    closed = await factories.store()
    index = stores.store_index(redis)
    await stores.rebuild_store_index(index)
    await Store.filter(id=closed.id).update(active=False)
    await stores.rebuild_store_index(index)
    assert [i for i, _ in await index.nearest(23.13, 113.32)] == [kept.id]


async def test_create_store_puts_it_in_the_index(db, redis):
    admin = factories.as_admin(await factories.admin())
    index = stores.store_index(redis)
    store = await stores.create_store(
        admin,
        index,
        code="gz-01",
        name="One",
        address="Road 1",
        latitude=23.1,
        longitude=113.3,
        service_radius_km=None,
    )
    assert (store.code, store.service_radius_km) == ("GZ-01", stores.DEFAULT_RADIUS_KM)
    assert [i for i, _ in await index.nearest(23.1, 113.3)] == [store.id]
    with pytest.raises(Duplicate):
        await stores.create_store(
            admin,
            index,
            code="GZ-01",
            name="Two",
            address="Road 2",
            latitude=23.1,
            longitude=113.3,
            service_radius_km=2,
        )
    with pytest.raises(Invalid) as err:
        await stores.create_store(
            admin,
            index,
            code="GZ-02",
            name="Two",
            address="Road 2",
            latitude=23.1,
            longitude=190,
            service_radius_km=2,
        )
    assert err.value.field == "location.longitude"
    assert await Store.all().count() == 1


async def test_only_its_manager_or_an_admin_pauses_a_store(db):
    store = await factories.store()
    other = await factories.store()
    manager = factories.as_staff(await factories.staff(store, StaffRole.MANAGER))
    clerk = factories.as_staff(await factories.staff(store))
    paused = await stores.set_accepting_orders(manager, store.id, False)
    assert paused.accepting_orders is False
    with pytest.raises(Forbidden):
        await stores.set_accepting_orders(clerk, store.id, True)
    with pytest.raises(Forbidden):
        await stores.set_accepting_orders(manager, other.id, False)
    admin = factories.as_admin(await factories.admin())
    with pytest.raises(NotFound):
        await stores.set_accepting_orders(admin, 424242, True)

from domain.loyalty.models import Activity, Campaign, PointsEntry
from domain.people.models import Admin, Member, Staff
from domain.seed import DEMO_SALES, MEMBER_COUNT, seed_demo
from domain.stores.models import Product, Reward, Store


async def test_the_demo_seed_is_complete_and_idempotent(db):
    first = await seed_demo(progress=lambda _line: None)
    second = await seed_demo(progress=lambda _line: None)
    assert second.created == 0
    assert second.existing == first.created
    assert await Store.all().count() >= 8
    assert await Staff.filter(role="MANAGER").count() == await Store.all().count()
    assert await Staff.filter(role="CLERK").count() == await Store.all().count()
    assert await Product.filter(is_member_pack=True).count() >= 1
    assert await Product.all().count() >= 6
    rewards = await Reward.all()
    assert len(rewards) >= 4
    assert min(r.points_cost for r in rewards) <= 200
    assert await Member.filter(home_store_id__not_isnull=True).count() == MEMBER_COUNT >= 30
    assert await Admin.all().count() == 1
    assert (await Campaign.all().count(), await Activity.all().count()) == (1, 1)
    assert await PointsEntry.filter(kind="PURCHASE", delta__gt=0).count() == len(DEMO_SALES)
    for store in await Store.all():
        assert 3 <= store.service_radius_km <= 5
        assert 22.5 < store.latitude < 23.7
        assert 112.9 < store.longitude < 113.7

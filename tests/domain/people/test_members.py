import pytest

from domain.access.visibility import visible_members
from domain.enums import MemberSource
from domain.errors import Duplicate, NotFound
from domain.people import members
from domain.people.models import Member
from tests import factories


async def test_a_store_code_makes_the_home_store(db):
    store = await factories.store(code="HOME-1")
    member = await members.register_member(
        None, phone="13600000001", password="password-1", name="Li", store_code="home-1"
    )
    assert (member.home_store_id, member.source) == (store.id, MemberSource.STORE_CODE)


async def test_a_clerk_signs_members_up_for_their_own_store(db):
    store = await factories.store()
    await factories.store(code="ELSEWHERE")
    clerk = await factories.staff(store)
    member = await members.register_member(
        factories.as_staff(clerk),
        phone="13600000002",
        password="password-1",
        name="Wang",
        store_code="ELSEWHERE",
    )
    assert (member.home_store_id, member.registered_by_id) == (store.id, clerk.id)
    assert member.source is MemberSource.CLERK


async def test_bad_registrations_write_nothing(db):
    await factories.member(phone="13600000003")
    with pytest.raises(Duplicate):
        await members.register_member(None, phone="13600000003", password="password-1", name="A")
    with pytest.raises(NotFound) as err:
        await members.register_member(
            None, phone="13600000004", password="password-1", name="A", store_code="NOPE"
        )
    assert err.value.field == "storeCode"
    assert await Member.all().count() == 1


async def test_who_sees_which_members(db):
    store = await factories.store()
    other = await factories.store()
    mine = await factories.member(store)
    theirs = await factories.member(other)
    clerk = factories.as_staff(await factories.staff(store))
    admin = factories.as_admin(await factories.admin())
    assert {m.id for m in await visible_members(clerk)} == {mine.id}
    assert {m.id for m in await visible_members(admin)} == {mine.id, theirs.id}
    assert await visible_members(factories.as_member(mine)).get_or_none(id=theirs.id) is None
    found = await members.search_members(clerk, mine.phone[:6])
    assert [m.id for m in found] == [mine.id]

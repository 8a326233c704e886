import pytest

from domain.access import accounts
from domain.access.accounts import AccountKind
from domain.enums import StaffRole
from domain.errors import Duplicate, Forbidden, Invalid, NotFound
from domain.people.models import Member, Staff
from domain.principal import Principal, Role
from tests import factories
from tests.factories import PASSWORD


async def signed_in(
    phone: str, password: str = PASSWORD, kind: AccountKind = AccountKind.MEMBER
) -> Principal:
    principal = await accounts.authenticate(phone, password, kind)
    assert principal is not None, "the sign-in was refused"
    return principal


async def test_authenticate_finds_each_kind_of_account(db):
    store = await factories.store()
    clerk = await factories.staff(store)
    member = await factories.member()
    admin = await factories.admin()
    assert (await signed_in(admin.phone, kind=AccountKind.ADMIN)).role is Role.ADMIN
    staff_principal = await signed_in(clerk.phone, kind=AccountKind.STAFF)
    assert (staff_principal.role, staff_principal.store_id) == (Role.CLERK, store.id)
    assert (await signed_in(member.phone)).user_id == member.id


async def test_a_wrong_phone_and_a_wrong_password_look_the_same(db):
    member = await factories.member()
    assert await accounts.authenticate(member.phone, "wrong-password") is None
    assert await accounts.authenticate("19999999999", PASSWORD) is None
    assert await accounts.authenticate("not a phone", PASSWORD) is None


async def test_a_deactivated_staff_member_cannot_sign_in(db):
    clerk = await factories.staff(await factories.store())
    await Staff.filter(id=clerk.id).update(active=False)
    assert await accounts.authenticate(clerk.phone, PASSWORD, AccountKind.STAFF) is None


async def test_only_the_named_account_of_a_phone_is_tried(db):
    clerk = await factories.staff(await factories.store())
    await factories.admin(phone=clerk.phone)
    member = await factories.member(phone=clerk.phone)
    assert (await signed_in(clerk.phone)).user_id == member.id
    assert (await signed_in(clerk.phone, kind=AccountKind.STAFF)).user_id == clerk.id
    assert (await signed_in(clerk.phone, kind=AccountKind.ADMIN)).role is Role.ADMIN
    await Member.filter(id=member.id).delete()
    assert await accounts.authenticate(clerk.phone, PASSWORD) is None


def test_sign_in_counts_a_phone_as_it_looks_it_up():
    assert {accounts.sign_in_phone(p) for p in ("139 0000 0028", "139-0000-0028 ")} == {
        "13900000028"
    }
    assert accounts.sign_in_phone(" not a phone ") == "not a phone"


async def test_staff_creation_rules(db):
    store = await factories.store()
    other = await factories.store()
    admin = factories.as_admin(await factories.admin())
    manager = factories.as_staff(await factories.staff(store, StaffRole.MANAGER))
    clerk = factories.as_staff(await factories.staff(store))
    made = await accounts.create_staff(
        manager,
        store_id=store.id,
        phone="13512345678",
        password=PASSWORD,
        name="New",
        role=Role.CLERK,
    )
    assert made.store_id == store.id
    with pytest.raises(Forbidden):
        await accounts.create_staff(
            manager,
            store_id=store.id,
            phone="13512345679",
            password=PASSWORD,
            name="M",
            role=Role.MANAGER,
        )
    with pytest.raises(Forbidden):
        await accounts.create_staff(
            manager,
            store_id=other.id,
            phone="13512345679",
            password=PASSWORD,
            name="C",
            role=Role.CLERK,
        )
    with pytest.raises(Forbidden):
        await accounts.create_staff(
            clerk,
            store_id=store.id,
            phone="13512345679",
            password=PASSWORD,
            name="C",
            role=Role.CLERK,
        )
    with pytest.raises(Duplicate) as dup:
        await accounts.create_staff(
            admin,
            store_id=store.id,
            phone="13512345678",
            password=PASSWORD,
            name="X",
            role=Role.CLERK,
        )
    assert dup.value.field == "phone"
    with pytest.raises(Invalid):
        await accounts.create_staff(
            admin,
            store_id=store.id,
            phone="13512345670",
            password=PASSWORD,
            name="X",
            role=Role.ADMIN,
        )
    with pytest.raises(NotFound):
        await accounts.create_staff(
            admin,
            store_id=999999,
            phone="13512345670",
            password=PASSWORD,
            name="X",
            role=Role.CLERK,
        )
    assert await Staff.all().count() == 3


async def test_create_admin_twice_resets_the_password(db):
    admin, created = await accounts.create_admin(phone="13500000001", password="first-pass-1")
    again, created_again = await accounts.create_admin(phone="13500000001", password="second-pass")
    assert (created, created_again, again.id) == (True, False, admin.id)
    old = await accounts.authenticate("13500000001", "first-pass-1", AccountKind.ADMIN)
    assert old is None
    assert (await signed_in("13500000001", "second-pass", AccountKind.ADMIN)).user_id == admin.id

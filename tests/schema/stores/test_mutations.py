"""Admin set-up mutations: what succeeds, and bad input that writes nothing."""

import pytest

from domain.enums import StaffRole
from domain.people.models import Member, Staff
from domain.stores.models import Product, Reward, Store
from schema.core.relay import to_global_id
from tests import factories

STORE_CREATE = """
mutation($input: StoreCreateInput!) {
  storeCreate(input: $input) {
    store { id code name location { latitude longitude } serviceRadiusKm acceptingOrders }
    errors { code field message }
  }
}
"""
PRODUCT_CREATE = """
mutation($input: ProductCreateInput!) {
  productCreate(input: $input) { product { sku price isMemberPack } errors { code field } }
}
"""
REWARD_CREATE = """
mutation($input: RewardCreateInput!) {
  rewardCreate(input: $input) { reward { name pointsCost } errors { code field } }
}
"""
STAFF_CREATE = """
mutation($input: StaffCreateInput!) {
  staffCreate(input: $input) { staff { phone role store { code } } errors { code field } }
}
"""
MEMBER_REGISTER = """
mutation($input: MemberRegisterInput!) {
  memberRegister(input: $input) {
    member { phone tier homeStore { code } pointsBalance }
    errors { code field }
  }
}
"""
SET_ACCEPTING = """
mutation($id: ID!, $accepting: Boolean!) {
  storeSetAcceptingOrders(id: $id, accepting: $accepting) {
    store { acceptingOrders } errors { code field }
  }
}
"""


def store_input(**overrides):
    base = {
        "code": "GZ-NEW",
        "name": "New store",
        "address": "1 Test Road",
        "location": {"latitude": 23.1, "longitude": 113.3},
    }
    return base | overrides


@pytest.fixture
async def admin(db):
    return factories.as_admin(await factories.admin())


async def test_admin_creates_a_store_product_reward_and_staff(gql, admin):
    store = (await gql.data(STORE_CREATE, {"input": store_input()}, as_=admin))["storeCreate"]
    assert store["errors"] == []
    assert store["store"]["serviceRadiusKm"] == 3.0
    assert store["store"]["acceptingOrders"]
    product = await gql.data(
        PRODUCT_CREATE,
        {"input": {"sku": "probio", "name": "Probiotic", "price": "198.00", "isMemberPack": True}},
        as_=admin,
    )
    assert product["productCreate"]["product"] == {
        "sku": "PROBIO",
        "price": "198.00",
        "isMemberPack": True,
    }
    reward = await gql.data(REWARD_CREATE, {"input": {"name": "Toy", "pointsCost": 100}}, as_=admin)
    assert reward["rewardCreate"]["reward"] == {"name": "Toy", "pointsCost": 100}
    staff = await gql.data(
        STAFF_CREATE,
        {
            "input": {
                "storeId": store["store"]["id"],
                "phone": "13711112222",
                "password": "clerk-pass-1",
                "name": "Clerk",
                "role": "CLERK",
            }
        },
        as_=admin,
    )
    assert staff["staffCreate"]["staff"] == {
        "phone": "13711112222",
        "role": "CLERK",
        "store": {"code": "GZ-NEW"},
    }


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"location": {"latitude": 91, "longitude": 113}}, "INVALID", "location.latitude"),
        ({"location": {"latitude": 23, "longitude": -180.5}}, "INVALID", "location.longitude"),
        ({"serviceRadiusKm": -1}, "INVALID", "serviceRadiusKm"),
        ({"name": "  "}, "INVALID", "name"),
        ({"name": "x" * 101}, "INVALID", "name"),
        ({"address": "y" * 300}, "INVALID", "address"),
        ({"code": "bad code!"}, "INVALID", "code"),
        ({"code": "GZ-TAKEN"}, "DUPLICATE", "code"),
    ],
)
async def test_bad_store_input_is_refused_and_writes_nothing(gql, admin, overrides, code, field):
    await factories.store(code="GZ-TAKEN")
    data = await gql.data(STORE_CREATE, {"input": store_input(**overrides)}, as_=admin)
    assert data["storeCreate"]["store"] is None
    assert [(e["code"], e["field"]) for e in data["storeCreate"]["errors"]] == [(code, field)]
    assert await Store.all().count() == 1


@pytest.mark.parametrize(
    ("product", "code", "field"),
    [
        ({"price": "-1.00"}, "INVALID", "price"),
        ({"price": "1.005"}, "INVALID", "price"),
        ({"name": ""}, "INVALID", "name"),
        ({"sku": "TAKEN"}, "DUPLICATE", "sku"),
    ],
)
async def test_bad_product_input(gql, admin, product, code, field):
    await Product.create(sku="TAKEN", name="Taken", price="1.00")
    data = await gql.data(
        PRODUCT_CREATE,
        {"input": {"sku": "NEW", "name": "New", "price": "1.00"} | product},
        as_=admin,
    )
    assert [(e["code"], e["field"]) for e in data["productCreate"]["errors"]] == [(code, field)]
    assert await Product.all().count() == 1


async def test_bad_reward_cost(gql, admin):
    data = await gql.data(REWARD_CREATE, {"input": {"name": "Free", "pointsCost": 0}}, as_=admin)
    assert data["rewardCreate"]["errors"] == [{"code": "INVALID", "field": "pointsCost"}]
    assert await Reward.all().count() == 0


async def test_a_member_calling_admin_mutations_is_forbidden(gql):
    member = factories.as_member(await factories.member())
    for query, variables in [
        (STORE_CREATE, {"input": store_input()}),
        (PRODUCT_CREATE, {"input": {"sku": "A", "name": "A", "price": "1.00"}}),
        (REWARD_CREATE, {"input": {"name": "A", "pointsCost": 5}}),
    ]:
        result = await gql.execute(query, variables, as_=member)
        assert result.errors[0].extensions == {"code": "FORBIDDEN"}
    assert await Store.all().count() == 0
    assert await Product.all().count() == 0


async def test_anonymous_admin_mutations_are_unauthenticated(gql):
    result = await gql.execute(STORE_CREATE, {"input": store_input()})
    assert result.errors[0].extensions == {"code": "UNAUTHENTICATED"}


@pytest.mark.parametrize(
    "bad_id", ["nonsense", to_global_id("Member", 1), to_global_id("Store", 999999), ""]
)
async def test_unknown_or_malformed_ids_are_not_found(gql, admin, bad_id):
    data = await gql.data(
        STAFF_CREATE,
        {
            "input": {
                "storeId": bad_id,
                "phone": "13711113333",
                "password": "clerk-pass-1",
                "name": "C",
                "role": "CLERK",
            }
        },
        as_=admin,
    )
    assert data["staffCreate"]["errors"] == [{"code": "NOT_FOUND", "field": "storeId"}]
    set_result = await gql.data(SET_ACCEPTING, {"id": bad_id, "accepting": False}, as_=admin)
    assert set_result["storeSetAcceptingOrders"]["errors"][0]["code"] == "NOT_FOUND"
    assert await Staff.all().count() == 0


async def test_a_manager_pauses_their_store_but_not_another(gql):
    store = await factories.store()
    other = await factories.store()
    manager = factories.as_staff(await factories.staff(store, StaffRole.MANAGER))
    mine = await gql.data(
        SET_ACCEPTING, {"id": to_global_id("Store", store.id), "accepting": False}, as_=manager
    )
    assert mine["storeSetAcceptingOrders"]["store"] == {"acceptingOrders": False}
    result = await gql.execute(
        SET_ACCEPTING, {"id": to_global_id("Store", other.id), "accepting": False}, as_=manager
    )
    assert result.errors[0].extensions == {"code": "FORBIDDEN"}
    assert (await Store.get(id=other.id)).accepting_orders is True


async def test_member_register_with_a_store_code_and_by_a_clerk(gql):
    store = await factories.store(code="HOME-9")
    data = await gql.data(
        MEMBER_REGISTER,
        {
            "input": {
                "phone": "13622223333",
                "password": "member-pass",
                "name": "Li",
                "storeCode": "HOME-9",
            }
        },
    )
    assert data["memberRegister"]["member"] == {
        "phone": "13622223333",
        "tier": "POTENTIAL",
        "homeStore": {"code": "HOME-9"},
        "pointsBalance": 0,
    }
    clerk = await factories.staff(store)
    by_clerk = await gql.data(
        MEMBER_REGISTER,
        {"input": {"phone": "13622224444", "password": "member-pass", "name": "Wang"}},
        as_=factories.as_staff(clerk),
    )
    assert by_clerk["memberRegister"]["member"]["homeStore"] == {"code": "HOME-9"}
    assert (await Member.get(phone="13622224444")).registered_by_id == clerk.id


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"phone": "13622225555"}, "DUPLICATE", "phone"),
        ({"phone": "hello"}, "INVALID", "phone"),
        ({"password": "short"}, "INVALID", "password"),
        ({"storeCode": "NOWHERE"}, "NOT_FOUND", "storeCode"),
        ({"name": ""}, "INVALID", "name"),
    ],
)
async def test_bad_registrations(gql, changes, code, field):
    await factories.member(phone="13622225555")
    data = await gql.data(
        MEMBER_REGISTER,
        {"input": {"phone": "13622226666", "password": "member-pass", "name": "Zhou"} | changes},
    )
    assert data["memberRegister"]["errors"] == [{"code": code, "field": field}]
    assert await Member.all().count() == 1

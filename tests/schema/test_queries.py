import pytest

from domain.stores.network import rebuild_store_index
from schema.core.relay import to_global_id
from tests import factories

STORES_NEAR = """
query($near: GeoPointInput, $first: Int, $after: String) {
  stores(near: $near, first: $first, after: $after) {
    edges { cursor node { code } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Member { phone } } }"
MEMBER = "query($id: ID!) { member(id: $id) { phone homeStore { code } } }"
MEMBERS = """
query($search: String, $first: Int, $after: String) {
  members(search: $search, first: $first, after: $after) {
    edges { cursor node { phone } } pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_stores_near_a_point_come_nearest_first_in_pages(gql, services):
    await factories.store(code="FAR", latitude=23.40, longitude=113.22)
    await factories.store(code="NEAR", latitude=23.131, longitude=113.321)
    await factories.store(code="MID", latitude=23.10, longitude=113.45)
    await rebuild_store_index(services.store_index)
    near = {"latitude": 23.13, "longitude": 113.32}
    first = (await gql.data(STORES_NEAR, {"near": near, "first": 2}))["stores"]
    assert [e["node"]["code"] for e in first["edges"]] == ["NEAR", "MID"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await gql.data(
        STORES_NEAR, {"near": near, "first": 2, "after": first["pageInfo"]["endCursor"]}
    )
    assert [e["node"]["code"] for e in rest["stores"]["edges"]] == ["FAR"]
    assert rest["stores"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest["stores"]["edges"][0]["cursor"],
    }


async def test_stores_without_near_page_by_id(gql):
    codes = [(await factories.store()).code for _ in range(3)]
    page = (await gql.data(STORES_NEAR, {"first": 2}))["stores"]
    assert [e["node"]["code"] for e in page["edges"]] == codes[:2]
    rest = await gql.data(STORES_NEAR, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["code"] for e in rest["stores"]["edges"]] == codes[2:]


@pytest.mark.parametrize(
    "variables",
    [
        {"first": -1},
        {"first": 101},
        {"after": "garbage"},
        {"near": {"latitude": 99, "longitude": 0}},
    ],
)
async def test_bad_paging_arguments_are_clear_errors(gql, variables):
    result = await gql.execute(STORES_NEAR, variables)
    assert result.errors[0].extensions == {"code": "BAD_USER_INPUT"}


async def test_a_member_sees_only_themselves(gql):
    me = await factories.member()
    other = await factories.member()
    as_me = factories.as_member(me)
    mine = await gql.data(MEMBER, {"id": to_global_id("Member", me.id)}, as_=as_me)
    assert mine["member"]["phone"] == me.phone
    theirs = await gql.data(MEMBER, {"id": to_global_id("Member", other.id)}, as_=as_me)
    assert theirs["member"] is None
    node = await gql.data(NODE, {"id": to_global_id("Member", other.id)}, as_=as_me)
    assert node["node"] is None
    assert (await gql.data(MEMBER, {"id": to_global_id("Member", me.id)}))["member"] is None


async def test_node_resolves_every_kind_it_may_show(gql):
    store = await factories.store()
    member = await factories.member(store)
    admin = factories.as_admin(await factories.admin())
    for type_name, pk in [("Store", store.id), ("Member", member.id)]:
        global_id = to_global_id(type_name, pk)
        node = (await gql.data(NODE, {"id": global_id}, as_=admin))["node"]
        assert node["__typename"] == type_name
        assert node["id"] == global_id
    for junk in ["", "!!!", to_global_id("Nothing", 1), to_global_id("Store", 0)]:
        assert (await gql.data(NODE, {"id": junk}, as_=admin))["node"] is None


async def test_staff_search_their_own_stores_members(gql):
    store = await factories.store()
    other = await factories.store()
    mine = [await factories.member(store) for _ in range(3)]
    await factories.member(other)
    clerk = factories.as_staff(await factories.staff(store))
    page = (await gql.data(MEMBERS, {"first": 2}, as_=clerk))["members"]
    rest = (
        await gql.data(MEMBERS, {"first": 2, "after": page["pageInfo"]["endCursor"]}, as_=clerk)
    )["members"]
    seen = [e["node"]["phone"] for e in page["edges"] + rest["edges"]]
    assert seen == [m.phone for m in mine]
    found = await gql.data(MEMBERS, {"search": mine[1].phone}, as_=clerk)
    assert [e["node"]["phone"] for e in found["members"]["edges"]] == [mine[1].phone]
    member = factories.as_member(mine[0])
    result = await gql.execute(MEMBERS, {}, as_=member)
    assert result.errors[0].extensions == {"code": "FORBIDDEN"}

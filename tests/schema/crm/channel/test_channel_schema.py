"""The channel through the schema: a distributor's sign-in and what it sees, shipmentRecord's
refusals, purchaseRecord.serials and each code's state."""

from domain.access import accounts
from domain.principal import Role
from schema.core.relay import to_global_id
from tests import factories
from tests.factories import PASSWORD

CREATE = """
mutation($input: DistributorCreateInput!) {
  distributorCreate(input: $input) {
    distributor { id code rebateRate territory { code } } errors { code field }
  }
}
"""
SHIP = """
mutation($input: ShipmentRecordInput!) {
  shipmentRecord(input: $input) {
    shipment { units store { code } product { sku } distributor { code } } rejected
    errors { code field }
  }
}
"""
SALE = """
mutation($input: PurchaseRecordInput!) {
  purchaseRecord(input: $input) {
    entry { delta } serials { code kind alertId } errors { code field }
  }
}
"""
ALERTS = (
    "{ diversionAlerts { edges { node { kind serial soldAt { code } distributor { code } } } } }"
)


def gid(model):
    return to_global_id(type(model).__name__, model.id)


async def world(gql):
    inside = await factories.store()
    outside = await factories.store()
    admin = factories.as_admin(await factories.admin())
    out = await gql.data(
        CREATE,
        {
            "input": {
                "code": "north",
                "name": "North Trading",
                "storeIds": [gid(inside)],
                "phone": "13800000999",
                "password": PASSWORD,
            }
        },
        as_=admin,
    )
    created = out["distributorCreate"]
    assert created["errors"] == []
    assert created["distributor"]["code"] == "NORTH"
    assert created["distributor"]["rebateRate"] == "0.0100"
    assert created["distributor"]["territory"] == [{"code": inside.code}]
    return inside, outside, admin, created["distributor"]["id"]


def shipment(distributor, store, product, serials, key="s1"):
    return {
        "input": {
            "distributorId": distributor,
            "storeId": gid(store),
            "productId": gid(product),
            "serials": serials,
            "idempotencyKey": key,
        }
    }


async def test_a_distributor_signs_in_ships_its_own_and_sees_its_alerts_only(gql):
    inside, outside, admin, north = await world(gql)
    principal = await accounts.authenticate(
        "13800000999", PASSWORD, accounts.AccountKind.DISTRIBUTOR
    )
    assert principal is not None
    assert principal.role is Role.DISTRIBUTOR
    viewer = await gql.data("{ viewer { role distributor { code } member { id } } }", as_=principal)
    assert viewer["viewer"] == {
        "role": "DISTRIBUTOR",
        "distributor": {"code": "NORTH"},
        "member": None,
    }
    milk = await factories.product("200.00")
    out = await gql.data(
        SHIP, shipment(north, inside, milk, ["N-00000001", "N-00000002", "bad"]), as_=principal
    )
    assert out["shipmentRecord"] == {
        "shipment": {
            "units": 2,
            "store": {"code": inside.code},
            "product": {"sku": milk.sku},
            "distributor": {"code": "NORTH"},
        },
        "rejected": ["bad"],
        "errors": [],
    }
    outside_ship = await gql.data(
        SHIP, shipment(north, outside, milk, ["N-00000003"], "s2"), as_=principal
    )
    assert outside_ship["shipmentRecord"]["errors"] == [{"code": "INVALID", "field": "storeId"}]
    # Another distributor's id: FORBIDDEN, whether or not it names one.
    other = await gql.data(
        CREATE,
        {"input": {"code": "SOUTH", "name": "South", "storeIds": [gid(outside)]}},
        as_=admin,
    )
    south = other["distributorCreate"]["distributor"]["id"]
    for foreign in (south, "not-an-id"):
        refused = await gql.execute(
            SHIP, shipment(foreign, outside, milk, ["S-00000001"], "s3"), as_=principal
        )
        assert refused.errors[0].extensions["code"] == "FORBIDDEN"
    # A sale at the outside store of a NORTH unit: recorded, and a DIVERTED alert.
    clerk = factories.as_staff(await factories.staff(outside))
    member = await factories.member()
    sale = {
        "input": {
            "memberId": gid(member),
            "lines": [{"productId": gid(milk), "quantity": 2}],
            "idempotencyKey": "k1",
            "serials": ["N-00000001", "UNSHIPPED-1"],
        }
    }
    sold = (await gql.data(SALE, sale, as_=clerk))["purchaseRecord"]
    assert sold["entry"]["delta"] == 400
    assert [(s["code"], s["kind"]) for s in sold["serials"]] == [
        ("N-00000001", "DIVERTED"),
        ("UNSHIPPED-1", "UNKNOWN_SERIAL"),
    ]
    assert all(s["alertId"] for s in sold["serials"])
    own = (await gql.data(ALERTS, as_=principal))["diversionAlerts"]["edges"]
    assert [e["node"]["kind"] for e in own] == ["DIVERTED"]
    every = (await gql.data(ALERTS, as_=admin))["diversionAlerts"]["edges"]
    assert sorted(e["node"]["kind"] for e in every) == ["DIVERTED", "UNKNOWN_SERIAL"]
    refused = await gql.execute(
        "query($d: ID) { diversionAlerts(distributorId: $d) { edges { node { id } } } }",
        {"d": south},
        as_=principal,
    )
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"
    statements = await gql.data(
        '{ distributorStatements(from: "2000-01-01", to: "2000-12-31") { distributor { code } } }',
        as_=principal,
    )
    assert statements["distributorStatements"] == [{"distributor": {"code": "NORTH"}}]


async def test_a_scan_with_more_codes_than_units_is_invalid(gql):
    inside, _outside, _admin, _north = await world(gql)
    clerk = factories.as_staff(await factories.staff(inside))
    milk = await factories.product()
    sale = {
        "input": {
            "memberId": gid(await factories.member()),
            "lines": [{"productId": gid(milk), "quantity": 1}],
            "idempotencyKey": "k1",
            "serials": ["A-00000001", "A-00000002"],
        }
    }
    out = (await gql.data(SALE, sale, as_=clerk))["purchaseRecord"]
    assert out == {
        "entry": None,
        "serials": [],
        "errors": [{"code": "INVALID", "field": "serials"}],
    }

"""The loyalty walk-through of the issue, as a new user meets it: the demo on a real server."""

from datetime import UTC, datetime

from domain.enums import StaffRole
from domain.seed import (
    ADMIN_PASSWORD,
    ADMIN_PHONE,
    MEMBER_PASSWORD,
    STAFF_PASSWORD,
    member_phone,
    staff_phone,
)
from tests.e2e.test_http import login

SETUP = """
query($phone: String!) {
  memberByPhone(phone: $phone) { id pointsBalance }
  products { id sku }
  rewards { id pointsCost }
}
"""
SALE = """
mutation($input: PurchaseRecordInput!) {
  purchaseRecord(input: $input) {
    member { pointsBalance tier }
    vouchersIssued { id status }
    errors { code }
  }
}
"""


async def test_a_counter_sale_a_voucher_a_reward_and_the_ranking(server):
    clerk = await login(server, staff_phone(1, StaffRole.CLERK), STAFF_PASSWORD, "STAFF")
    found = (await server.graphql(SETUP, {"phone": member_phone(1)}, token=clerk))["data"]
    member = found["memberByPhone"]
    pack = next(p["id"] for p in found["products"] if p["sku"] == "PROBIO-PACK")
    cheapest = min(found["rewards"], key=lambda r: r["pointsCost"])
    sale = {
        "memberId": member["id"],
        "lines": [{"productId": pack, "quantity": 6}],
        "idempotencyKey": "till-1",
    }
    out = (await server.graphql(SALE, {"input": sale}, token=clerk))["data"]["purchaseRecord"]
    assert out["member"] == {"pointsBalance": member["pointsBalance"] + 1188, "tier": "REGULAR"}
    assert [v["status"] for v in out["vouchersIssued"]] == ["ISSUED"]
    used = await server.graphql(
        "mutation($id: ID!, $m: ID!) { voucherRedeem(id: $id, memberId: $m) "
        "{ voucher { status redeemedStore { code } } errors { code } } }",
        {"id": out["vouchersIssued"][0]["id"], "m": member["id"]},
        token=clerk,
    )
    assert used["data"]["voucherRedeem"]["voucher"] == {
        "status": "REDEEMED",
        "redeemedStore": {"code": "GZ-TH01"},
    }
    redeem = {
        "memberId": member["id"],
        "rewardId": cheapest["id"],
        "channel": "STORE",
        "idempotencyKey": "till-2",
    }
    spent = await server.graphql(
        "mutation($input: PointsRedeemInput!) { pointsRedeem(input: $input) "
        "{ entry { delta channel } errors { code } } }",
        {"input": redeem},
        token=clerk,
    )
    assert spent["data"]["pointsRedeem"]["entry"] == {
        "delta": -cheapest["pointsCost"],
        "channel": "STORE",
    }
    me = await login(server, member_phone(1), MEMBER_PASSWORD)
    history = await server.graphql(
        "{ viewer { member { pointsHistory(first: 5) { edges { node { kind store { code } } } } "
        "vouchers(status: REDEEMED) { id } } } }",
        token=me,
    )
    mine = history["data"]["viewer"]["member"]
    assert [e["node"] for e in mine["pointsHistory"]["edges"]] == [
        {"kind": "REDEMPTION", "store": {"code": "GZ-TH01"}},
        {"kind": "PURCHASE", "store": {"code": "GZ-TH01"}},
    ]
    assert len(mine["vouchers"]) == 1
    admin = await login(server, ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN")
    board = await server.graphql(
        "query($y: Int!) { pointsLeaderboard(year: $y) { rank points member { id } } }",
        {"y": datetime.now(UTC).year},
        token=admin,
    )
    top = board["data"]["pointsLeaderboard"]
    assert [row["rank"] for row in top] == list(range(1, len(top) + 1))
    assert 1 < len(top) <= 10
    assert {"points": 1188, "member": {"id": member["id"]}} in [
        {"points": row["points"], "member": row["member"]} for row in top
    ]
    assert [row["points"] for row in top] == sorted((row["points"] for row in top), reverse=True)

"""purchaseRecord, pointsRedeem, voucherRedeem through schema.execute: results and refusals."""

import pytest

from domain.loyalty.models import IdempotencyKey, PointsEntry, Purchase, Voucher
from domain.people.models import Member
from schema.core.relay import to_global_id

PURCHASE = """
mutation($input: PurchaseRecordInput!) {
  purchaseRecord(input: $input) {
    entry { id delta balanceAfter kind note store { code } }
    member { id pointsBalance tier homeStore { code } }
    vouchersIssued { id status product { sku } }
    errors { code field message }
  }
}
"""
REDEEM = """
mutation($input: PointsRedeemInput!) {
  pointsRedeem(input: $input) {
    entry { id delta balanceAfter kind channel store { code } reward { pointsCost } }
    member { pointsBalance }
    errors { code field message }
  }
}
"""
VOUCHER = """
mutation($id: ID!, $memberId: ID!) {
  voucherRedeem(id: $id, memberId: $memberId) {
    voucher { id status redeemedAt redeemedStore { code } }
    errors { code field message }
  }
}
"""
MEMBER = """
query($id: ID!) {
  member(id: $id) {
    pointsBalance tier
    tierHistory { previous tier reason }
    pointsHistory(first: 10) { edges { node { delta kind store { code } } } }
    issued: vouchers(status: ISSUED) { id }
    redeemed: vouchers(status: REDEEMED) { id }
  }
}
"""


def sale(c, member=None, lines=None, key="k1"):
    return {
        "input": {
            "memberId": c.gid(member or c.member),
            "lines": lines or [{"productId": c.gid(c.pack), "quantity": 6}],
            "idempotencyKey": key,
        }
    }


def redeem(c, *, member=None, reward=None, channel="STORE", key="r1"):
    return {
        "input": {
            "memberId": c.gid(member or c.member),
            "rewardId": reward or c.gid(c.reward),
            "channel": channel,
            "idempotencyKey": key,
        }
    }


async def counts():
    return (
        await PointsEntry.all().count(),
        await IdempotencyKey.all().count(),
        await Purchase.all().count(),
        await Voucher.all().count(),
    )


async def test_six_packs_at_the_counter_earn_1188_points_and_a_voucher(gql, counter):
    c = counter
    out = (await gql.data(PURCHASE, sale(c), as_=c.as_clerk))["purchaseRecord"]
    assert out["errors"] == []
    assert (out["entry"]["delta"], out["entry"]["balanceAfter"], out["entry"]["kind"]) == (
        1188,
        1188,
        "PURCHASE",
    )
    assert out["entry"]["store"]["code"] == c.store.code
    assert out["member"] == {
        "id": c.gid(c.member),
        "pointsBalance": 1188,
        "tier": "REGULAR",
        "homeStore": {"code": c.store.code},
    }
    assert [(v["status"], v["product"]["sku"]) for v in out["vouchersIssued"]] == [
        ("ISSUED", c.pack.sku)
    ]
    entry = await PointsEntry.get(member_id=c.member.id)
    assert (entry.staff_id, entry.store_id) == (c.clerk.id, c.store.id)
    seen = (await gql.data(MEMBER, {"id": c.gid(c.member)}, as_=c.as_member))["member"]
    assert seen["pointsHistory"]["edges"] == [
        {"node": {"delta": 1188, "kind": "PURCHASE", "store": {"code": c.store.code}}}
    ]
    assert seen["tierHistory"] == [
        {"previous": "POTENTIAL", "tier": "REGULAR", "reason": "has bought"}
    ]
    assert (len(seen["issued"]), seen["redeemed"]) == (1, [])


async def test_a_repeated_key_returns_the_first_result_and_writes_nothing(gql, counter):
    c = counter
    first = (await gql.data(PURCHASE, sale(c), as_=c.as_clerk))["purchaseRecord"]
    written = await counts()
    again = (await gql.data(PURCHASE, sale(c), as_=c.as_clerk))["purchaseRecord"]
    assert again == first
    assert await counts() == written
    other = sale(c, lines=[{"productId": c.gid(c.pack), "quantity": 5}])
    dup = (await gql.data(PURCHASE, other, as_=c.as_clerk))["purchaseRecord"]
    assert dup["errors"] == [
        {
            "code": "DUPLICATE",
            "field": "idempotencyKey",
            "message": "This idempotency key was used for a different request.",
        }
    ]
    assert dup["entry"] is None
    assert await counts() == written


async def test_the_home_store_stays_with_the_store_that_has_it(gql, counter):
    c = counter
    out = await gql.data(PURCHASE, sale(c, member=c.other_member), as_=c.as_clerk)
    assert out["purchaseRecord"]["member"]["homeStore"] == {"code": "OTHER"}


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"memberId": to_global_id("Member", 999_999)}, "NOT_FOUND", "memberId"),
        ({"memberId": "not-an-id"}, "NOT_FOUND", "memberId"),
        ({"lines": []}, "INVALID", "lines"),
        ({"lines": "ZERO"}, "INVALID", "lines.0.quantity"),
        ({"lines": "NEGATIVE"}, "INVALID", "lines.0.quantity"),
        ({"lines": "UNKNOWN"}, "NOT_FOUND", "lines.0.productId"),
        ({"idempotencyKey": "  "}, "INVALID", "idempotencyKey"),
    ],
)
async def test_bad_sales_are_refused_with_a_code_and_write_nothing(
    gql, counter, change, code, field
):
    c = counter
    variables = sale(c)
    lines = {
        "ZERO": [{"productId": c.gid(c.pack), "quantity": 0}],
        "NEGATIVE": [{"productId": c.gid(c.pack), "quantity": -3}],
        "UNKNOWN": [{"productId": to_global_id("Product", 999_999), "quantity": 1}],
    }
    for name, value in change.items():
        variables["input"][name] = lines.get(value, value) if isinstance(value, str) else value
    out = (await gql.data(PURCHASE, variables, as_=c.as_clerk))["purchaseRecord"]
    assert [(e["code"], e["field"]) for e in out["errors"]] == [(code, field)]
    assert out["entry"] is None
    assert await counts() == (0, 0, 0, 0)
    assert (await Member.get(id=c.member.id)).points_balance == 0


async def test_only_staff_record_sales(gql, counter):
    c = counter
    for who in (c.as_member, c.as_admin):
        result = await gql.execute(PURCHASE, sale(c), as_=who)
        assert result.errors[0].extensions["code"] == "FORBIDDEN"
    result = await gql.execute(PURCHASE, sale(c))
    assert result.errors[0].extensions["code"] == "UNAUTHENTICATED"
    assert await counts() == (0, 0, 0, 0)


async def test_redeem_at_the_counter_then_insufficient_points_writes_nothing(gql, counter):
    c = counter
    await gql.data(
        PURCHASE, sale(c, lines=[{"productId": c.gid(c.wipes), "quantity": 3}]), as_=c.as_clerk
    )  # 149 points
    out = (await gql.data(REDEEM, redeem(c), as_=c.as_clerk))["pointsRedeem"]
    assert out["errors"] == []
    assert out["entry"] == {
        "id": out["entry"]["id"],
        "delta": -100,
        "balanceAfter": 49,
        "kind": "REDEMPTION",
        "channel": "STORE",
        "store": {"code": c.store.code},
        "reward": {"pointsCost": 100},
    }
    written = await counts()
    short = (await gql.data(REDEEM, redeem(c, key="r2"), as_=c.as_clerk))["pointsRedeem"]
    assert [e["code"] for e in short["errors"]] == ["INSUFFICIENT_POINTS"]
    assert short["entry"] is None
    assert await counts() == written
    assert (await Member.get(id=c.member.id)).points_balance == 49


async def test_a_member_redeems_for_themselves_through_web_or_app(gql, counter):
    c = counter
    await Member.filter(id=c.member.id).update(points_balance=300)
    await PointsEntry.create(member_id=c.member.id, delta=300, balance_after=300, kind="BONUS")
    out = (await gql.data(REDEEM, redeem(c, channel="APP"), as_=c.as_member))["pointsRedeem"]
    assert (out["errors"], out["entry"]["channel"], out["member"]["pointsBalance"]) == (
        [],
        "APP",
        200,
    )
    wrong = await gql.data(REDEEM, redeem(c, channel="STORE", key="r9"), as_=c.as_member)
    assert [(e["code"], e["field"]) for e in wrong["pointsRedeem"]["errors"]] == [
        ("INVALID", "channel")
    ]
    someone_else = await gql.execute(
        REDEEM, redeem(c, member=c.other_member, channel="APP", key="r3"), as_=c.as_member
    )
    assert someone_else.errors[0].extensions["code"] == "FORBIDDEN"
    assert (await Member.get(id=c.member.id)).points_balance == 200


@pytest.mark.parametrize(
    ("member", "reward", "code", "field"),
    [
        (to_global_id("Member", 999_999), None, "NOT_FOUND", "memberId"),
        (None, to_global_id("Reward", 999_999), "NOT_FOUND", "rewardId"),
        (None, "bogus", "NOT_FOUND", "rewardId"),
        (None, None, "INSUFFICIENT_POINTS", None),
    ],
)
async def test_bad_redemptions_are_refused_and_write_nothing(
    gql, counter, member, reward, code, field
):
    c = counter
    variables = redeem(c, reward=reward)
    if member:
        variables["input"]["memberId"] = member
    out = (await gql.data(REDEEM, variables, as_=c.as_clerk))["pointsRedeem"]
    assert [(e["code"], e["field"]) for e in out["errors"]] == [(code, field)]
    assert await counts() == (0, 0, 0, 0)


async def test_a_voucher_is_redeemed_only_with_the_member_at_the_counter(gql, counter):
    c = counter
    out = (await gql.data(PURCHASE, sale(c), as_=c.as_clerk))["purchaseRecord"]
    voucher = out["vouchersIssued"][0]["id"]
    unnamed = [
        (VOUCHER, {"id": voucher}),
        (VOUCHER, {"id": voucher, "memberId": None}),
        ("mutation($id: ID!) { voucherRedeem(id: $id) { voucher { id } } }", {"id": voucher}),
        (
            "mutation($id: ID!, $m: ID) { voucherRedeem(id: $id, memberId: $m) "
            "{ voucher { id } } }",
            {"id": voucher, "m": None},
        ),
    ]
    for query, variables in unnamed:
        nameless = await gql.execute(query, variables, as_=c.as_clerk)
        assert nameless.errors, "a voucher was redeemed without naming the member"
        assert nameless.data is None
    assert (await Voucher.get(member_id=c.member.id)).status == "ISSUED"
    stranger = (
        await gql.data(VOUCHER, {"id": voucher, "memberId": c.gid(c.other_member)}, as_=c.as_clerk)
    )["voucherRedeem"]
    assert [(e["code"], e["field"]) for e in stranger["errors"]] == [("INVALID", "memberId")]
    assert stranger["voucher"] is None
    assert (await Voucher.get(member_id=c.member.id)).status == "ISSUED"


async def test_vouchers_are_redeemed_once_and_only_for_their_member(gql, counter):
    c = counter
    out = (await gql.data(PURCHASE, sale(c), as_=c.as_clerk))["purchaseRecord"]
    voucher = out["vouchersIssued"][0]["id"]
    wrong = (
        await gql.data(
            VOUCHER, {"id": voucher, "memberId": c.gid(c.other_member)}, as_=c.as_other_clerk
        )
    )["voucherRedeem"]
    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [("INVALID", "memberId")]
    assert (await Voucher.get(member_id=c.member.id)).status == "ISSUED"
    done = (
        await gql.data(VOUCHER, {"id": voucher, "memberId": c.gid(c.member)}, as_=c.as_other_clerk)
    )["voucherRedeem"]
    assert done["errors"] == []
    assert (done["voucher"]["status"], done["voucher"]["redeemedStore"]) == (
        "REDEEMED",
        {"code": "OTHER"},
    )
    again = {"id": voucher, "memberId": c.gid(c.member)}
    used = (await gql.data(VOUCHER, again, as_=c.as_clerk))["voucherRedeem"]
    assert [(e["code"], e["field"]) for e in used["errors"]] == [("INVALID_TRANSITION", "id")]
    missing = await gql.data(
        VOUCHER, {"id": to_global_id("Voucher", 999), "memberId": c.gid(c.member)}, as_=c.as_clerk
    )
    assert [e["code"] for e in missing["voucherRedeem"]["errors"]] == ["NOT_FOUND"]
    by_member = await gql.execute(VOUCHER, again, as_=c.as_member)
    assert by_member.errors[0].extensions["code"] == "FORBIDDEN"
    seen = (await gql.data(MEMBER, {"id": c.gid(c.member)}, as_=c.as_member))["member"]
    assert (seen["issued"], [v["id"] for v in seen["redeemed"]]) == ([], [voucher])


async def test_member_by_phone_is_for_staff_and_admins(gql, counter):
    c = counter
    query = "query($p: String!) { memberByPhone(phone: $p) { id } }"
    found = await gql.data(query, {"p": c.other_member.phone}, as_=c.as_clerk)
    assert found["memberByPhone"] == {"id": c.gid(c.other_member)}
    assert (await gql.data(query, {"p": "12345"}, as_=c.as_admin))["memberByPhone"] is None
    assert (await gql.data(query, {"p": "x"}, as_=c.as_admin))["memberByPhone"] is None
    refused = await gql.execute(query, {"p": c.member.phone}, as_=c.as_member)
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"

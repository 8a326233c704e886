"""Campaigns, activities, the ranking and tiers through schema.execute."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.loyalty.models import Activity, ActivityCheckIn, Campaign, PointsEntry, Purchase
from domain.people.models import Member
from schema.core.relay import to_global_id
from tests import factories
from tests.schema.loyalty.test_points_schema import PURCHASE, sale

CAMPAIGN = """
mutation($input: CampaignCreateInput!) {
  campaignCreate(input: $input) {
    campaign { id name multiplier startsAt endsAt stores { code } products { sku } }
    errors { code field message }
  }
}
"""
ACTIVITY = """
mutation($input: ActivityCreateInput!) {
  activityCreate(input: $input) {
    activity { id name points cost }
    errors { code field message }
  }
}
"""
CHECK_IN = """
mutation($a: ID!, $m: ID!) {
  activityCheckIn(activityId: $a, memberId: $m) {
    entry { delta kind note } member { pointsBalance } errors { code field }
  }
}
"""
LEADERBOARD = """
query($year: Int!, $limit: Int) {
  pointsLeaderboard(year: $year, limit: $limit) { rank points member { id } }
}
"""


def when(clock, days=0.0):
    return (datetime.fromtimestamp(clock.now(), UTC) + timedelta(days=days)).isoformat()


def campaign_input(clock, **extra):
    return {
        "input": {
            "name": "Double points week",
            "multiplier": "2",
            "startsAt": when(clock, -1),
            "endsAt": when(clock, 6),
        }
        | extra
    }


async def test_campaigns_multiply_and_the_highest_wins(gql, counter, clock):
    c = counter
    made = (await gql.data(CAMPAIGN, campaign_input(clock), as_=c.as_admin))["campaignCreate"]
    assert made["errors"] == []
    assert (made["campaign"]["multiplier"], made["campaign"]["stores"]) == ("2.00", None)
    triple = campaign_input(
        clock,
        name="Triple at our store",
        multiplier="3",
        storeIds=[c.gid(c.store)],
        productIds=[c.gid(c.wipes)],
    )
    limited = (await gql.data(CAMPAIGN, triple, as_=c.as_admin))["campaignCreate"]["campaign"]
    assert (limited["stores"], limited["products"]) == (
        [{"code": c.store.code}],
        [{"sku": c.wipes.sku}],
    )
    lines = [
        {"productId": c.gid(c.pack), "quantity": 1},
        {"productId": c.gid(c.wipes), "quantity": 1},
    ]
    out = (await gql.data(PURCHASE, sale(c, lines=lines), as_=c.as_clerk))["purchaseRecord"]
    assert out["entry"]["delta"] == 198 * 2 + 149  # floor(49.90 x 3)
    assert "Double points week x2" in out["entry"]["note"]
    listed = await gql.data("{ campaigns { name } }")
    assert {x["name"] for x in listed["campaigns"]} == {"Double points week", "Triple at our store"}
    clock.advance(7 * 86400)
    later = await gql.data(PURCHASE, sale(c, lines=lines, key="k2"), as_=c.as_clerk)
    assert later["purchaseRecord"]["entry"]["delta"] == 198 + 49


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"multiplier": "0"}, "INVALID", "multiplier"),
        ({"multiplier": "-1.5"}, "INVALID", "multiplier"),
        ({"multiplier": "1.005"}, "INVALID", "multiplier"),
        ({"name": " "}, "INVALID", "name"),
        ("END_BEFORE_START", "INVALID", "endsAt"),
        ({"storeIds": [to_global_id("Store", 999)]}, "NOT_FOUND", "storeIds.0"),
        ({"productIds": ["nope"]}, "NOT_FOUND", "productIds.0"),
        ({"storeIds": []}, "INVALID", "storeIds"),
    ],
)
async def test_bad_campaigns_are_refused(gql, counter, clock, extra, code, field):
    if extra == "END_BEFORE_START":
        extra = {"startsAt": when(clock, 2), "endsAt": when(clock, 1)}
    out = await gql.data(CAMPAIGN, campaign_input(clock, **extra), as_=counter.as_admin)
    assert [(e["code"], e["field"]) for e in out["campaignCreate"]["errors"]] == [(code, field)]
    assert await Campaign.all().count() == 0


async def test_only_admins_create_campaigns_and_activities(gql, counter, clock):
    for who in (counter.as_clerk, counter.as_member):
        result = await gql.execute(CAMPAIGN, campaign_input(clock), as_=who)
        assert result.errors[0].extensions["code"] == "FORBIDDEN"
    assert await Campaign.all().count() == 0


def activity_input(clock, **extra):
    return {
        "input": {
            "name": "Baby crawling contest",
            "points": 50,
            "cost": "300.00",
            "startsAt": when(clock, -1),
            "endsAt": when(clock, 1),
        }
        | extra
    }


async def test_an_activity_grants_its_points_once_per_member(gql, counter, clock):
    c = counter
    made = (await gql.data(ACTIVITY, activity_input(clock), as_=c.as_admin))["activityCreate"]
    assert made["errors"] == []
    ids = {"a": made["activity"]["id"], "m": c.gid(c.member)}
    first = (await gql.data(CHECK_IN, ids, as_=c.as_clerk))["activityCheckIn"]
    assert (first["entry"], first["member"]) == (
        {"delta": 50, "kind": "ACTIVITY", "note": "Baby crawling contest"},
        {"pointsBalance": 50},
    )
    again = (await gql.data(CHECK_IN, ids, as_=c.as_member))["activityCheckIn"]
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("DUPLICATE", "memberId")]
    assert await PointsEntry.all().count() == 1
    other = await gql.execute(CHECK_IN, ids | {"m": c.gid(c.other_member)}, as_=c.as_member)
    assert other.errors[0].extensions["code"] == "FORBIDDEN"
    listed = await gql.data("{ activities { name points cost } }")
    assert listed["activities"] == [
        {"name": "Baby crawling contest", "points": 50, "cost": "300.00"}
    ]
    clock.advance(2 * 86400)
    late = await gql.data(CHECK_IN, ids | {"m": c.gid(c.other_member)}, as_=c.as_admin)
    assert [e["code"] for e in late["activityCheckIn"]["errors"]] == ["INVALID"]
    assert await ActivityCheckIn.all().count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"points": -1}, "points"), ({"cost": "-1"}, "cost"), ("END_BEFORE_START", "endsAt")],
)
async def test_bad_activities_are_refused(gql, counter, clock, extra, field):
    if extra == "END_BEFORE_START":
        extra = {"startsAt": when(clock, 1), "endsAt": when(clock, 1)}
    out = await gql.data(ACTIVITY, activity_input(clock, **extra), as_=counter.as_admin)
    assert [(e["code"], e["field"]) for e in out["activityCreate"]["errors"]] == [
        ("INVALID", field)
    ]
    assert await Activity.all().count() == 0


async def test_unknown_activity_is_not_found(gql, counter):
    out = await gql.data(
        CHECK_IN,
        {"a": to_global_id("Activity", 9), "m": counter.gid(counter.member)},
        as_=counter.as_clerk,
    )
    assert [e["code"] for e in out["activityCheckIn"]["errors"]] == ["NOT_FOUND"]


async def test_the_leaderboard_ranks_what_members_earned_in_the_year(gql, counter, clock):
    c = counter
    year = datetime.fromtimestamp(clock.now(), UTC).year
    members = [c.member, c.other_member, *[await factories.member() for _ in range(11)]]
    for i, member in enumerate(members):
        lines = [{"productId": c.gid(c.wipes), "quantity": i + 1}]
        await gql.data(PURCHASE, sale(c, member=member, lines=lines, key=f"y{i}"), as_=c.as_clerk)
    # Spending does not lower a rank.
    await Member.filter(id=members[-1].id).update(points_balance=0)
    board = (await gql.data(LEADERBOARD, {"year": year}, as_=c.as_admin))["pointsLeaderboard"]
    assert [row["rank"] for row in board] == list(range(1, 11))
    assert [row["member"]["id"] for row in board] == [c.gid(m) for m in reversed(members)][:10]
    assert board[0]["points"] == 648  # floor(49.90 x 13)
    top3 = await gql.data(LEADERBOARD, {"year": year, "limit": 3}, as_=c.as_admin)
    assert len(top3["pointsLeaderboard"]) == 3
    assert (await gql.data(LEADERBOARD, {"year": year + 1}, as_=c.as_admin)) == {
        "pointsLeaderboard": []
    }
    bad = await gql.execute(LEADERBOARD, {"year": year, "limit": 0}, as_=c.as_admin)
    assert bad.errors[0].extensions["code"] == "BAD_USER_INPUT"
    for who in (c.as_clerk, c.as_member):
        refused = await gql.execute(LEADERBOARD, {"year": year}, as_=who)
        assert refused.errors[0].extensions["code"] == "FORBIDDEN"


async def test_tiers_follow_purchases_and_referrals(gql, counter, clock):
    c = counter
    await Member.filter(id=c.other_member.id).update(referred_by_id=c.member.id)
    tiers = []
    for i in range(3):
        out = await gql.data(PURCHASE, sale(c, key=f"t{i}"), as_=c.as_clerk)
        tiers.append(out["purchaseRecord"]["member"]["tier"])
        clock.advance(30 * 86400)
    assert tiers == ["REGULAR", "REGULAR", "LOYAL"]
    await gql.data(PURCHASE, sale(c, member=c.other_member, key="ref"), as_=c.as_clerk)
    assert (await Member.get(id=c.member.id)).tier == "ADVOCATE"
    clock.advance(200 * 86400)
    out = await gql.data(PURCHASE, sale(c, key="late"), as_=c.as_clerk)
    assert out["purchaseRecord"]["member"]["tier"] == "REGULAR"
    history = await gql.data(
        "query($id: ID!) { member(id: $id) { tierHistory { previous tier } } }",
        {"id": c.gid(c.member)},
        as_=c.as_member,
    )
    assert [(h["previous"], h["tier"]) for h in history["member"]["tierHistory"]] == [
        ("POTENTIAL", "REGULAR"),
        ("REGULAR", "LOYAL"),
        ("LOYAL", "ADVOCATE"),
        ("ADVOCATE", "REGULAR"),
    ]
    assert await Purchase.all().count() == 5


REGISTER = """
mutation($input: MemberRegisterInput!) {
  memberRegister(input: $input) { member { source } errors { code field } }
}
"""


async def test_a_member_registered_at_an_activity_has_it_as_source(gql, counter, clock):
    c = counter
    made = await gql.data(ACTIVITY, activity_input(clock), as_=c.as_admin)
    base = {"phone": "13911112222", "password": "a-password-1", "name": "Li Na"}
    unknown = {"input": base | {"activityId": to_global_id("Activity", 999)}}
    out = (await gql.data(REGISTER, unknown))["memberRegister"]
    assert out == {"member": None, "errors": [{"code": "NOT_FOUND", "field": "activityId"}]}
    known = {"input": base | {"activityId": made["activityCreate"]["activity"]["id"]}}
    out = (await gql.data(REGISTER, known))["memberRegister"]
    assert out == {"member": {"source": "ACTIVITY"}, "errors": []}
    member = await Member.get(phone="13911112222")
    assert member.activity_id is not None

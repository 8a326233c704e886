"""Sign-in lockouts and per-member budgets, counted in Redis."""

import asyncio
from types import SimpleNamespace

import pytest

from domain import loyalty
from domain.enums import PointsEntryKind
from domain.loyalty.models import PointsEntry
from domain.orders.models import Order
from domain.stores.lines import Line
from realtime.rate_limits import Rate, RateLimits
from schema.core.context import Context, Services
from schema.core.relay import to_global_id
from tests import factories
from tests.factories import PASSWORD
from tests.orders_helpers import stores_east
from tests.schema.orders.test_orders import PLACE, place_input

SIGN_IN = """
mutation($phone: String!, $password: String!, $role: SignInRole!) {
  tokenCreate(phone: $phone, password: $password, role: $role) { token errors { code } }
}
"""


@pytest.fixture
def tight(services: Services) -> Services:
    services.rate_limits = RateLimits(
        login_failures_per_phone=Rate("login-phone", 3, 900),
        logins_per_address=Rate("login-address", 6, 900),
        order_place=Rate("order-place", 2, 60),
        points_redeem=Rate("points-redeem", 2, 60),
    )
    return services


async def sign_in(gql, phone, password, address="203.0.113.7", role="MEMBER"):
    context = Context.for_token(gql.services, None)
    context.request = SimpleNamespace(client=SimpleNamespace(host=address))
    variables = {"phone": phone, "password": password, "role": role}
    return await gql.schema.execute(SIGN_IN, variable_values=variables, context_value=context)


async def test_a_phone_is_locked_after_failed_sign_ins_and_says_when_to_retry(gql, tight):
    member = await factories.member()
    for _ in range(3):
        result = await sign_in(gql, member.phone, "wrong-password")
        assert result.data["tokenCreate"]["errors"][0]["code"] == "INVALID"
    locked = await sign_in(gql, member.phone, PASSWORD)
    error = locked.errors[0]
    assert error.extensions["code"] == "RATE_LIMITED"
    assert 0 < error.extensions["retryAfterSeconds"] <= 900
    assert f"{error.extensions['retryAfterSeconds']} s" in error.message


async def test_a_success_clears_the_phone_s_failures(gql, tight):
    member = await factories.member()
    for _ in range(2):
        await sign_in(gql, member.phone, "wrong-password")
    ok = await sign_in(gql, member.phone, PASSWORD)
    assert ok.data["tokenCreate"]["token"]
    for _ in range(2):
        await sign_in(gql, member.phone, "wrong-password")
    assert (await sign_in(gql, member.phone, PASSWORD)).data["tokenCreate"]["token"]


async def test_one_address_trying_many_phones_is_limited(gql, tight):
    results = [await sign_in(gql, f"1361000000{i}", "wrong-password") for i in range(7)]
    assert [r.errors is None for r in results] == [True] * 6 + [False]
    assert results[-1].errors[0].extensions["code"] == "RATE_LIMITED"
    other = await sign_in(gql, "13610000009", "wrong-password", address="198.51.100.1")
    assert other.errors is None


async def test_order_place_is_limited_per_member(gql, tight, dispatch):
    await stores_east(dispatch, 1.0)
    product = await factories.product()
    first = factories.as_member(await factories.member())
    second = factories.as_member(await factories.member())
    variables = place_input(to_global_id("Product", product.id))
    for _ in range(2):
        assert (await gql.execute(PLACE, variables, as_=first)).errors is None
    refused = await gql.execute(PLACE, variables, as_=first)
    assert refused.errors[0].extensions["code"] == "RATE_LIMITED"
    assert await Order.filter(member_id=first.user_id).count() == 2
    assert (await gql.execute(PLACE, variables, as_=second)).errors is None


REDEEM = """
mutation($input: PointsRedeemInput!) {
  pointsRedeem(input: $input) { entry { id } errors { code } }
}
"""


async def test_points_redeem_is_limited_per_member(gql, tight, dispatch):
    store = await factories.store()
    clerk = factories.as_staff(await factories.staff(store))
    pack = await factories.product(member_pack=True)
    reward = to_global_id("Reward", (await factories.reward(10)).id)
    members = [await factories.member() for _ in range(2)]
    for n, member in enumerate(members):
        lines = [Line(pack.id, 1)]
        await loyalty.record_purchase(
            clerk, dispatch.now(), member_id=member.id, lines=lines, key=f"sale-{n}"
        )

    async def redeem(member, key):
        variables = {
            "input": {
                "memberId": to_global_id("Member", member.id),
                "rewardId": reward,
                "channel": "APP",
                "idempotencyKey": key,
            }
        }
        return await gql.execute(REDEEM, variables, as_=factories.as_member(member))

    for n in range(2):
        assert (await redeem(members[0], f"r{n}")).data["pointsRedeem"]["entry"]
    refused = await redeem(members[0], "r2")
    assert refused.errors[0].extensions["code"] == "RATE_LIMITED"
    spent = PointsEntry.filter(member_id=members[0].id, kind=PointsEntryKind.REDEMPTION)
    assert await spent.count() == 2
    assert (await redeem(members[1], "r0")).data["pointsRedeem"]["entry"]


REGISTER = """
mutation($input: MemberRegisterInput!) {
  memberRegister(input: $input) { member { id } errors { code } }
}
"""


async def test_a_locked_phone_stays_locked_however_it_is_written(gql, tight):
    member = await factories.member(phone="13900000028")
    for _ in range(3):
        await sign_in(gql, "13900000028", "wrong-password")
    for spelling in ("139 0000 0028", " 139-0000-0028 ", "13900000028"):
        locked = await sign_in(gql, spelling, PASSWORD)
        assert locked.errors, f"{spelling!r} signed in while {member.phone} is locked"
        assert locked.errors[0].extensions["code"] == "RATE_LIMITED"


async def test_another_account_on_the_phone_does_not_reset_the_count(gql, tight):
    """An attacker registers a member on a clerk's phone and signs in to it between guesses."""
    clerk = await factories.staff(await factories.store())
    registered = await gql.data(
        REGISTER,
        {"input": {"phone": clerk.phone, "password": "attacker-pass-1", "name": "Mallory"}},
    )
    assert registered["memberRegister"]["errors"] == []
    guesses_checked = 0
    for n in range(12):  # from many addresses, so only the phone's count can stop it
        guess = await sign_in(
            gql, clerk.phone, f"guess-{n}-at-the-clerk", f"198.51.100.{n}", role="STAFF"
        )
        if guess.errors is None:
            guesses_checked += 1
        await sign_in(gql, clerk.phone, "attacker-pass-1", f"192.0.2.{n}")
    assert guesses_checked == 3
    # The lock covers every account on the phone, the clerk's own sign-in too, until it ends.
    clerk_now = await sign_in(gql, clerk.phone, PASSWORD, "192.0.2.200", role="STAFF")
    assert clerk_now.errors[0].extensions["code"] == "RATE_LIMITED"


async def test_a_success_forgives_only_the_failures_of_its_own_account(gql, tight):
    clerk = await factories.staff(await factories.store())
    await factories.member(phone=clerk.phone)
    for _ in range(2):
        await sign_in(gql, clerk.phone, "wrong-password", role="STAFF")
    member = await sign_in(gql, clerk.phone, PASSWORD)
    assert member.data["tokenCreate"]["token"]
    await sign_in(gql, clerk.phone, "wrong-password", role="STAFF")
    refused = await sign_in(gql, clerk.phone, PASSWORD, role="STAFF")
    assert refused.errors[0].extensions["code"] == "RATE_LIMITED"


async def test_concurrent_guesses_get_no_more_than_the_budget(gql, tight):
    member = await factories.member()
    guesses = await asyncio.gather(
        *(sign_in(gql, member.phone, f"guess-{n}", f"198.51.100.{n}") for n in range(12))
    )
    assert sum(g.errors is None for g in guesses) == 3

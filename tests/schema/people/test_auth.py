import time
from typing import Any

from domain.access.tokens import TokenCodec
from domain.principal import Principal, Role
from tests import factories
from tests.factories import PASSWORD

TOKEN_CREATE = """
mutation($phone: String!, $password: String!, $role: SignInRole! = MEMBER) {
  tokenCreate(phone: $phone, password: $password, role: $role) {
    token
    viewer { role member { phone } staff { phone } store { code } }
    errors { code message field }
  }
}
"""
VIEWER = "{ viewer { role member { name } staff { name } store { code } } }"


async def test_each_kind_of_account_gets_a_token_that_works(gql):
    store = await factories.store(code="TOKEN-1")
    accounts: dict[str, Any] = {
        "MEMBER": await factories.member(),
        "CLERK": await factories.staff(store),
        "ADMIN": await factories.admin(),
    }
    sign_in_as = {"MEMBER": "MEMBER", "CLERK": "STAFF", "ADMIN": "ADMIN"}
    for role, account in accounts.items():
        variables = {"phone": account.phone, "password": PASSWORD, "role": sign_in_as[role]}
        data = await gql.data(TOKEN_CREATE, variables)
        payload = data["tokenCreate"]
        assert payload["errors"] == []
        assert payload["viewer"]["role"] == role
        viewer = (await gql.data(VIEWER, token=payload["token"]))["viewer"]
        assert viewer["role"] == role
    assert viewer["store"] is None
    clerk = {"phone": accounts["CLERK"].phone, "password": PASSWORD, "role": "STAFF"}
    clerk_token = (await gql.data(TOKEN_CREATE, clerk))["tokenCreate"]["token"]
    assert (await gql.data(VIEWER, token=clerk_token))["viewer"]["store"]["code"] == "TOKEN-1"


async def test_wrong_phone_and_wrong_password_give_the_same_error(gql):
    member = await factories.member()
    wrong_password = await gql.data(TOKEN_CREATE, {"phone": member.phone, "password": "nope-nope"})
    wrong_phone = await gql.data(TOKEN_CREATE, {"phone": "19900000000", "password": PASSWORD})
    assert wrong_password == wrong_phone
    assert wrong_password["tokenCreate"]["token"] is None
    assert wrong_password["tokenCreate"]["errors"][0]["code"] == "INVALID"


async def test_no_token_is_anonymous(gql):
    assert (await gql.data(VIEWER))["viewer"] is None


async def test_expired_and_forged_tokens_are_unauthenticated(gql, services):
    member = await factories.member()
    expired = services.tokens.issue(Principal(Role.MEMBER, member.id), now=time.time() - 10**7)
    forged = TokenCodec("some-other-secret-of-enough-length", 3600).issue(Principal(Role.ADMIN, 1))
    for token in (expired, forged, "not.a.token"):
        result = await gql.execute(VIEWER, token=token)
        assert result.errors[0].extensions["code"] == "UNAUTHENTICATED"
        assert result.data == {"viewer": None}


async def test_a_token_of_a_deleted_account_has_no_viewer(gql):
    member = await factories.member()
    token = gql.services.tokens.issue(factories.as_member(member))
    await member.delete()
    assert (await gql.data(VIEWER, token=token))["viewer"] is None


async def test_a_sign_in_opens_only_the_account_it_names(gql):
    """A member registered on a clerk's phone (anyone may) never opens the clerk's account."""
    store = await factories.store()
    clerk = await factories.staff(store)
    admin = await factories.admin(phone=clerk.phone)
    registered = await gql.data(
        "mutation($input: MemberRegisterInput!) { memberRegister(input: $input) "
        "{ member { id } errors { code } } }",
        {"input": {"phone": clerk.phone, "password": "the-member-pass", "name": "Mallory"}},
    )
    assert registered["memberRegister"]["errors"] == []

    async def role_of(password: str, role: str | None) -> str | None:
        variables = {"phone": clerk.phone, "password": password}
        if role is not None:
            variables["role"] = role
        payload = (await gql.data(TOKEN_CREATE, variables))["tokenCreate"]
        assert (payload["token"] is None) == (payload["viewer"] is None)
        return payload["viewer"]["role"] if payload["viewer"] else None

    assert await role_of("the-member-pass", None) == "MEMBER"  # the consumer app's default
    assert await role_of("the-member-pass", "MEMBER") == "MEMBER"
    assert await role_of("the-member-pass", "STAFF") is None
    assert await role_of("the-member-pass", "ADMIN") is None
    # The staff and admin passwords (the same here) open only the account named.
    assert await role_of(PASSWORD, None) is None
    assert await role_of(PASSWORD, "STAFF") == "CLERK"
    assert await role_of(PASSWORD, "ADMIN") == "ADMIN"
    assert admin.phone == clerk.phone

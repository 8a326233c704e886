"""Global ids decode strictly: one spelling per object, anything else is NOT_FOUND."""

import base64

import pytest

from schema.relay import decode_id, from_global_id, to_global_id
from tests import factories

NODE = "query($id: ID!) { node(id: $id) { id } }"
MEMBER = "query($id: ID!) { member(id: $id) { id } }"


def raw(text: str) -> str:
    """``text`` encoded as our ids are, however odd it is."""
    return base64.urlsafe_b64encode(text.encode()).decode()


ALIASES = [
    raw("Member:01"),  # a leading zero
    raw("Member:+1"),
    raw("Member: 1"),
    raw("Member:1 "),
    raw("Member:1\n"),
    raw("Member:１"),  # a full-width digit  # noqa: RUF003
    raw("Member:1_0"),  # int() reads "1_0" as 10
    raw("Member:1x"),
    raw("Member:1:2"),
    raw("member:1"),
    raw("Member:1")[:-1] + "AAAA",  # the same bytes then trailing junk
    raw("Member:1") + "junk",
    raw("Member:1").rstrip("="),  # not our spelling: ours is padded
    " " + raw("Member:1"),
    "TWVtYmVyOjE=\n",
]


def test_our_ids_round_trip():
    for pk in (1, 9, 10, 12345, 2**63 - 1):
        assert from_global_id(to_global_id("Member", pk)) == ("Member", pk)


@pytest.mark.parametrize("alias", ALIASES)
def test_another_spelling_of_an_id_is_no_id(alias):
    assert from_global_id(alias) is None


async def test_an_alias_finds_nothing_through_the_api(gql):
    member = await factories.member()
    admin = factories.as_admin(await factories.admin())
    assert member.id == 1  # the aliases above spell Member 1
    assert (await gql.data(NODE, {"id": to_global_id("Member", 1)}, as_=admin))["node"]
    for alias in ALIASES:
        assert (await gql.data(NODE, {"id": alias}, as_=admin))["node"] is None, alias
        assert (await gql.data(MEMBER, {"id": alias}, as_=admin))["member"] is None, alias


def test_decode_id_refuses_an_alias_as_not_found():
    from domain.errors import NotFound

    with pytest.raises(NotFound):
        decode_id(raw("Member:01"), "Member")

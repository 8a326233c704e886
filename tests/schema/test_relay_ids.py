"""Global ids decode strictly: one spelling per object, anything else is NOT_FOUND."""

import base64

import pytest

from schema.core.relay import decode_id, from_global_id, to_global_id
from tests import factories

NODE = "query($id: ID!) { node(id: $id) { id } }"
MEMBER = "query($id: ID!) { member(id: $id) { id } }"


def raw(text: str) -> str:
    """``text`` encoded as our ids are, however odd it is."""
    return base64.urlsafe_b64encode(text.encode()).decode()


def aliases(pk: int) -> list[str]:
    """Other spellings of ``Member:pk``, none of which is its id."""
    ours = to_global_id("Member", pk)
    full_width = "".join(chr(0xFF10 + int(d)) for d in str(pk))
    spellings = [
        raw(f"Member:0{pk}"),  # a leading zero
        raw(f"Member:+{pk}"),
        raw(f"Member: {pk}"),
        raw(f"Member:{pk} "),
        raw(f"Member:{pk}\n"),
        raw(f"Member:{full_width}"),
        raw(f"Member:{pk}_0"),  # int() reads "1_0" as 10
        raw(f"Member:{pk}x"),
        raw(f"Member:{pk}:2"),
        raw(f"member:{pk}"),
        ours + "junk",
        ours.rstrip("=") + "AAAA",  # the same bytes, then more
        ours.rstrip("="),  # not our spelling: ours is padded
        " " + ours,
        ours + "\n",
    ]
    return [s for s in spellings if s != ours]  # an id of 3n bytes has no padding to drop


def test_our_ids_round_trip():
    for pk in (1, 9, 10, 12345, 2**63 - 1):
        assert from_global_id(to_global_id("Member", pk)) == ("Member", pk)


@pytest.mark.parametrize("pk", [1, 7, 42, 2**40])
def test_another_spelling_of_an_id_is_no_id(pk):
    for alias in aliases(pk):
        assert from_global_id(alias) is None, alias


async def test_an_alias_finds_nothing_through_the_api(gql):
    member = await factories.member()
    admin = factories.as_admin(await factories.admin())
    assert (await gql.data(NODE, {"id": to_global_id("Member", member.id)}, as_=admin))["node"]
    for alias in aliases(member.id):
        assert (await gql.data(NODE, {"id": alias}, as_=admin))["node"] is None, alias
        assert (await gql.data(MEMBER, {"id": alias}, as_=admin))["member"] is None, alias


def test_decode_id_refuses_an_alias_as_not_found():
    from domain.errors import NotFound

    with pytest.raises(NotFound):
        decode_id(raw("Member:01"), "Member")

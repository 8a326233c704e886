"""The fixed-SQL reads by a list of keys, on whichever database the run uses."""

from tortoise.transactions import in_transaction

from domain.people.models import Member
from domain.sql import rows_by_id, rows_where_in
from tests import factories


async def test_rows_match_another_column_than_the_id(db):
    home = await factories.store()
    a, b = await factories.member(home), await factories.member(home)
    await factories.member()  # no home store: not matched
    rows = await rows_where_in(Member, ("id", "home_store_id"), "home_store_id", [home.id])
    assert sorted((int(i), int(h)) for i, h in rows) == sorted([(a.id, home.id), (b.id, home.id)])


async def test_a_locking_read_runs_inside_a_transaction(db):
    home = await factories.store()
    member = await factories.member(home)
    async with in_transaction():
        rows = await rows_by_id(Member, ("id", "home_store_id"), [member.id], lock=True)
    assert [(int(i), int(h)) for i, h in rows] == [(member.id, home.id)]
    assert await rows_by_id(Member, ("id",), []) == []

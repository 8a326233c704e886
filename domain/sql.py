"""Reads by a list of ids, written as SQL for the statements every order runs.

Tortoise builds a filter like ``id__in=[...]`` term by term (one pypika parameter object per
id, copied as the query is assembled), then a model per row: for the few columns routing and
pricing need, that cost more CPU than the database spent answering. Here the statement text is
fixed per table and column list, so PostgreSQL also reuses its prepared plan.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from tortoise.models import Model


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


async def rows_by_id(
    model: type[Model],
    columns: Sequence[str],
    ids: Collection[int],
    where: str = "",
    *,
    lock: bool = False,
) -> list[Sequence[Any]]:
    """``columns`` of ``model``'s rows whose id is in ``ids`` (and that meet ``where``, a
    condition over the table's own boolean columns, e.g. ``'"active"'``), in no set order.

    ``lock`` (inside a transaction) is ``select_for_update``: the rows stay locked until it
    ends, where the database can lock rows (not SQLite, whose writers take the whole file)."""
    return await rows_where_in(model, columns, "id", ids, where, lock=lock)


async def rows_where_in(
    model: type[Model],
    columns: Sequence[str],
    key: str,
    values: Collection[int],
    where: str = "",
    *,
    lock: bool = False,
) -> list[Sequence[Any]]:
    """``rows_by_id`` matching the integer column ``key`` (e.g. a foreign key) instead of id."""
    if not values:
        return []
    client = model._meta.db
    table = model._meta.db_table
    numbers = [int(v) for v in values]
    params: list[Any]
    if client.capabilities.dialect == "postgres":
        match, params = f'"{key}" = ANY($1::bigint[])', [numbers]
    else:
        match, params = f'"{key}" IN ({", ".join("?" * len(numbers))})', numbers
    condition = f"{match} AND {where}" if where else match
    sql = f'SELECT {_quoted(columns)} FROM "{table}" WHERE {condition}'
    if lock and client.capabilities.support_for_update:
        sql += " FOR UPDATE"
    _, rows = await client.execute_query(sql, params)
    # asyncpg's records and sqlite3's rows both index by position, whatever tortoise declares.
    return cast("list[Sequence[Any]]", list(rows))

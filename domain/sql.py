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
    model: type[Model], columns: Sequence[str], ids: Collection[int], where: str = ""
) -> list[Sequence[Any]]:
    """``columns`` of ``model``'s rows whose id is in ``ids`` (and that meet ``where``, a
    condition over the table's own boolean columns, e.g. ``'"active"'``), in no set order."""
    if not ids:
        return []
    client = model._meta.db
    table = model._meta.db_table
    values = [int(i) for i in ids]
    params: list[Any]
    if client.capabilities.dialect == "postgres":
        match, params = '"id" = ANY($1::bigint[])', [values]
    else:
        match, params = f'"id" IN ({", ".join("?" * len(values))})', values
    condition = f"{match} AND {where}" if where else match
    sql = f'SELECT {_quoted(columns)} FROM "{table}" WHERE {condition}'
    _, rows = await client.execute_query(sql, params)
    # asyncpg's records and sqlite3's rows both index by position, whatever tortoise declares.
    return cast("list[Sequence[Any]]", list(rows))

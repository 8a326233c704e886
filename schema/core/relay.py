"""Relay global IDs, the Node interface and cursor connections."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.queryset import QuerySet

from domain.errors import Invalid, NotFound
from domain.paging import Page, keyset_page
from schema.core.errors import bad_input

N = TypeVar("N")
M = TypeVar("M", bound=Any)


@strawberry.interface
class Node:
    id: strawberry.ID


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode())


# What ``to_global_id`` writes: a type name, a colon, a pk without sign, space or leading zero.
_RAW_ID = re.compile(r"([A-Z][A-Za-z]{0,63}):([1-9][0-9]{0,18})")


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """``(type name, pk)``, or None when the id is not one of ours.

    Only the spelling ``to_global_id`` gives is accepted: ``int()`` alone would read "01",
    " 1", "1_0" and full-width digits, and base64 decoding skips junk, so one object would
    have many ids (each a new key for whatever a client counts or caches by id).
    """
    try:
        raw = base64.urlsafe_b64decode(global_id.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    match = _RAW_ID.fullmatch(raw)
    if match is None:
        return None
    type_name, value = match.group(1), int(match.group(2))
    if value >= 2**63 or to_global_id(type_name, value) != global_id:
        return None
    return type_name, value


def decode_id(global_id: str, type_name: str, field: str = "id") -> int:
    """The pk behind an id of ``type_name``; ``NotFound`` (naming ``field``) for anything else."""
    parsed = from_global_id(global_id)
    if parsed is None or parsed[0] != type_name:
        raise NotFound(f"No {type_name} has this id.", field)
    return parsed[1]


def _cursor(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode()


def _read_cursor(cursor: str | None, kind: str) -> int | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode()
        prefix, _, value = raw.partition(":")
        if prefix == kind and int(value) >= 0:
            return int(value)
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise Invalid("after is not a cursor from this list.", "after")


def after_pk(cursor: str | None) -> int | None:
    """The id after which a keyset page starts; ``Invalid`` for a foreign cursor."""
    return _read_cursor(cursor, "k")


def after_offset(cursor: str | None) -> int:
    """The position after which an offset page starts; ``Invalid`` for a foreign cursor."""
    position = _read_cursor(cursor, "o")
    return 0 if position is None else position + 1


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    node: N
    cursor: str


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo


def _connection(nodes: list[N], cursors: list[str], page: Page[Any]) -> Connection[N]:
    return Connection(
        edges=[Edge(node=n, cursor=c) for n, c in zip(nodes, cursors, strict=True)],
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
    )


def keyset_connection(page: Page[Any], convert: Callable[[M], N]) -> Connection[N]:
    """A connection over a keyset page: each cursor is its row's id."""
    return _connection(
        [convert(row) for row in page.items], [_cursor("k", row.pk) for row in page.items], page
    )


def offset_connection(page: Page[Any], start: int, nodes: list[N]) -> Connection[N]:
    """A connection over an offset page starting at position ``start``."""
    return _connection(nodes, [_cursor("o", start + i) for i in range(len(nodes))], page)


async def paginate(
    query: QuerySet[Any],
    first: int | None,
    after: str | None,
    convert: Callable[[Any], N],
    *,
    descending: bool = False,
) -> Connection[N]:
    """One keyset page of ``query`` as a connection; a bad ``first`` or ``after`` is an error."""
    try:
        page = await keyset_page(
            query, first=first, after_id=after_pk(after), descending=descending
        )
    except Invalid as exc:
        raise bad_input(exc.message) from None
    return keyset_connection(page, convert)


async def lookup(
    global_id: str, type_name: str, rows: QuerySet[Any] | None, convert: Callable[[Any], N]
) -> N | None:
    """The object ``global_id`` names among ``rows`` (None: the caller sees none), or None."""
    parsed = from_global_id(global_id)
    if parsed is None or parsed[0] != type_name or rows is None:
        return None
    model = await rows.get_or_none(id=parsed[1])
    return convert(model) if model else None

"""Keyset pages over a query ordered by id: the cost of a page does not depend on its position."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain.errors import Invalid

M = TypeVar("M", bound=Model)

DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    has_next: bool
    has_previous: bool


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 0 <= first <= MAX_PAGE:
        raise Invalid(f"first must be between 0 and {MAX_PAGE}.", "first")
    return first


async def keyset_page(
    query: QuerySet[M], *, first: int | None, after_id: int | None, descending: bool = False
) -> Page[M]:
    size = page_size(first)
    if after_id is not None:
        query = query.filter(id__lt=after_id) if descending else query.filter(id__gt=after_id)
    rows = await query.order_by("-id" if descending else "id").limit(size + 1)
    return Page(items=rows[:size], has_next=len(rows) > size, has_previous=after_id is not None)


def offset_page(items: list[M], *, first: int | None, offset: int) -> Page[M]:
    size = page_size(first)
    window = items[offset : offset + size]
    return Page(items=window, has_next=offset + size < len(items), has_previous=offset > 0)

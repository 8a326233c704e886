"""Lines of an order or a counter sale: a product and a quantity, checked the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain import validation
from domain.errors import Invalid, NotFound
from domain.sql import rows_by_id
from domain.stores.models import Product

MAX_LINES = 50
CENT = Decimal("0.01")
MAX_QUANTITY = 999


@dataclass(frozen=True)
class Line:
    product_id: int
    quantity: int


def count_units(lines: list[Line], what: str) -> dict[int, int]:
    """Units per product; ``what`` ("An order", "A sale") names the whole in messages."""
    if not lines:
        raise Invalid(f"{what} needs at least one line.", "lines")
    if len(lines) > MAX_LINES:
        raise Invalid(f"{what} has at most {MAX_LINES} lines.", "lines")
    units: dict[int, int] = {}
    for i, line in enumerate(lines):
        validation.whole(line.quantity, f"lines.{i}.quantity", minimum=1, maximum=MAX_QUANTITY)
        units[line.product_id] = units.get(line.product_id, 0) + line.quantity
    for i, line in enumerate(lines):
        if units[line.product_id] > MAX_QUANTITY:
            raise Invalid(f"At most {MAX_QUANTITY} of one product.", f"lines.{i}.quantity")
    return units


async def products_for(units: dict[int, int]) -> dict[int, Product]:
    """The active products the lines name; an unknown one is ``NotFound``."""
    found = {p.id: p for p in await Product.filter(id__in=list(units), active=True)}
    _require_all(units, found)
    return found


async def prices_for(units: dict[int, int]) -> dict[int, Decimal]:
    """``products_for``'s check, for a caller that needs only the unit prices."""
    rows = await rows_by_id(Product, ("id", "price"), units, '"active"')
    found = {int(row[0]): Decimal(str(row[1])).quantize(CENT) for row in rows}
    _require_all(units, found)
    return found


def total_of(priced: Iterable[tuple[Decimal, int]], what: str) -> Decimal:
    """The sum of (unit price, quantity) lines; ``Invalid`` past what a total column holds
    (fifty lines of 999 at the highest price would overflow PostgreSQL's NUMERIC(12, 2))."""
    total = sum((price * quantity for price, quantity in priced), Decimal("0.00"))
    if total > validation.MAX_TOTAL:
        raise Invalid(
            f"{what} comes to {total}; a total is at most {validation.MAX_TOTAL}.", "lines"
        )
    return total


def _require_all(units: dict[int, int], found: Mapping[int, object]) -> None:
    for i, product_id in enumerate(units):
        if product_id not in found:
            raise NotFound("No product has this id.", f"lines.{i}.productId")

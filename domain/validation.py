"""Checks on what a client sends; each failure names the field."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from domain.errors import Invalid

PHONE = re.compile(r"^\+?[0-9]{5,20}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
# The most a NUMERIC(12, 2) column (a price, an order's or a sale's total) holds.
MAX_PRICE = Decimal("9999999999.99")
MAX_TOTAL = MAX_PRICE
CENT = Decimal("0.01")
# C0 controls but tab and line breaks, DEL, and the C1 controls (U+0080-U+009F): none belongs
# in a name or a note, and PostgreSQL cannot store NUL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Embeddings, overrides and isolates: "abc\u202etxt.exe" shows as "abcexe.txt".
DIRECTION = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Half of a UTF-16 pair alone is not a character: no driver can encode it as UTF-8.
SURROGATE = re.compile(r"[\ud800-\udfff]")
# Date-times are kept within years that convert to any offset and back (year 1 at +14:00 is
# before year 1 in UTC: OverflowError), the years the ranking accepts.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    cleaned = plain(value.strip(), field)
    if required and not cleaned:
        raise Invalid(f"{field} must not be empty.", field)
    if len(cleaned) > max_length:
        raise Invalid(f"{field} is longer than {max_length} characters.", field)
    return cleaned


def plain(value: str, field: str) -> str:
    """``value`` unless it holds a control character other than tab and line breaks, a
    text-direction control, or a lone surrogate."""
    if CONTROL.search(value):
        raise Invalid(f"{field} must not contain control characters.", field)
    if DIRECTION.search(value):
        raise Invalid(
            f"{field} must not contain text-direction controls (U+202A-E, U+2066-9).", field
        )
    if SURROGATE.search(value):
        raise Invalid(f"{field} must not contain an unpaired surrogate (U+D800 to U+DFFF).", field)
    return value


def phone(value: str, field: str = "phone") -> str:
    cleaned = value.strip().replace(" ", "").replace("-", "")
    if not PHONE.match(cleaned):
        raise Invalid("phone must be 5 to 20 digits, optionally after a +.", field)
    return cleaned


def code(value: str, field: str) -> str:
    cleaned = value.strip().upper()
    if not CODE.match(cleaned):
        raise Invalid(f"{field} must be 1-32 letters, digits, '-' or '_'.", field)
    return cleaned


def password(value: str, field: str = "password") -> str:
    if len(value) < MIN_PASSWORD:
        raise Invalid(f"password must have at least {MIN_PASSWORD} characters.", field)
    if len(value) > MAX_PASSWORD:
        raise Invalid(f"password must have at most {MAX_PASSWORD} characters.", field)
    return value


def latitude(value: float, field: str = "latitude") -> float:
    if not math.isfinite(value) or not -90 <= value <= 90:
        raise Invalid("latitude must be between -90 and 90.", field)
    return value


def longitude(value: float, field: str = "longitude") -> float:
    if not math.isfinite(value) or not -180 <= value <= 180:
        raise Invalid("longitude must be between -180 and 180.", field)
    return value


def radius_km(value: float, field: str = "serviceRadiusKm") -> float:
    if not math.isfinite(value) or not 0 < value <= 100:
        raise Invalid("serviceRadiusKm must be above 0 and at most 100.", field)
    return value


def money(value: Decimal, field: str) -> Decimal:
    quantized = _cents(value, field, f"{field} must be an amount like 128.00.")
    if quantized < 0:
        raise Invalid(f"{field} must not be negative.", field)
    if quantized > MAX_PRICE:
        raise Invalid(f"{field} is too large.", field)
    return quantized


def rate(value: Decimal, field: str, *, maximum: Decimal) -> Decimal:
    """A rate from 0 to ``maximum`` with at most two decimal places (a NUMERIC(6, 2))."""
    quantized = _cents(value, field, f"{field} must be a number like 1.5.")
    if not 0 <= quantized <= maximum:
        raise Invalid(f"{field} must be between 0 and {maximum}.", field)
    return quantized


def _cents(value: Decimal, field: str, what: str) -> Decimal:
    """``value`` to the cent; NaN, infinities and a third decimal place are refused (a NaN
    cannot even be compared: the comparison raises)."""
    try:
        amount = Decimal(value)
        if not amount.is_finite():
            raise InvalidOperation
        quantized = amount.quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        raise Invalid(what, field) from None
    if quantized != amount:
        raise Invalid(f"{field} must have at most two decimal places.", field)
    return quantized


def instant(value: datetime, field: str) -> datetime:
    """``value`` in UTC; it needs an offset, and a year from 2000 to 9998."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(f"{field} needs a time zone offset, like 2026-12-01T08:00:00+08:00.", field)
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise Invalid(f"{field} must be from the year 2000 to 9998.", field)
    return utc


def whole(value: int, field: str, *, minimum: int, maximum: int) -> int:
    if not minimum <= value <= maximum:
        raise Invalid(f"{field} must be between {minimum} and {maximum}.", field)
    return value

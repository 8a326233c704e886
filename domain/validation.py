"""Checks on what a client sends; each failure names the field."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from domain.errors import Invalid

PHONE = re.compile(r"^\+?[0-9]{5,20}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_PRICE = Decimal("9999999999.99")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    cleaned = plain(value.strip(), field)
    if required and not cleaned:
        raise Invalid(f"{field} must not be empty.", field)
    if len(cleaned) > max_length:
        raise Invalid(f"{field} is longer than {max_length} characters.", field)
    return cleaned


def plain(value: str, field: str) -> str:
    """``value`` unless it holds a control character other than tab and line breaks
    (PostgreSQL cannot store NUL, and none of them belongs in a name or a note)."""
    if CONTROL.search(value):
        raise Invalid(f"{field} must not contain control characters.", field)
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
    try:
        amount = Decimal(value)
        if not amount.is_finite():
            raise InvalidOperation
        quantized = amount.quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise Invalid(f"{field} must be an amount like 128.00.", field) from None
    if quantized != amount:
        raise Invalid(f"{field} must have at most two decimal places.", field)
    if quantized < 0:
        raise Invalid(f"{field} must not be negative.", field)
    if quantized > MAX_PRICE:
        raise Invalid(f"{field} is too large.", field)
    return quantized


def whole(value: int, field: str, *, minimum: int, maximum: int) -> int:
    if not minimum <= value <= maximum:
        raise Invalid(f"{field} must be between {minimum} and {maximum}.", field)
    return value

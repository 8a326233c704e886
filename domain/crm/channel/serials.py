"""Unit codes as printed on the packs, and the SQL that reads and writes many at once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

SERIAL = re.compile(r"^[A-Z0-9-]{8,40}$")
SERIAL_RULE = "8 to 40 characters of A-Z, 0-9 and '-'"


def well_formed(code: str) -> bool:
    return SERIAL.fullmatch(code) is not None


def is_postgres(client: BaseDBAsyncClient) -> bool:
    return client.capabilities.dialect == "postgres"


def in_codes(client: BaseDBAsyncClient, codes: Sequence[str], first: int = 1) -> tuple[str, Any]:
    """``"code" IN …`` for ``codes`` as the dialect binds a list (one array parameter on
    PostgreSQL, whose plan is then reused whatever the count), with its parameters."""
    if is_postgres(client):
        return f'"code" = ANY(${first}::text[])', [list(codes)]
    return f'"code" IN ({", ".join("?" * len(codes))})', list(codes)

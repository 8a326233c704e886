"""Migration 0006 on a database that already holds vouchers: they become SIX_FOR_ONE, and a
member still cannot hold two vouchers of the same ordinal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from domain.db import tortoise_config
from tests import backends


@pytest_asyncio.fixture
async def fresh_url(tmp_path: Path) -> AsyncIterator[str]:
    if backends.PG_URL:
        url = await backends.create_postgres_database("o2o_mig")
        yield url
        await backends.drop_postgres_database(url)
    else:
        yield backends.sqlite_url(tmp_path)


async def _run(url: str, target: str | None = None) -> None:
    async with TortoiseContext():
        await tortoise_migrate(config=tortoise_config(url), target=target)


async def _sql(url: str, *statements: str) -> list[list[tuple]]:
    results = []
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        conn = ctx.db()
        for statement in statements:
            _, rows = await conn.execute_query(statement)
            results.append([tuple(r) for r in rows])
    return results


SEED = [
    "INSERT INTO store (code, name, address, latitude, longitude, service_radius_km,"
    " accepting_orders, active, created_at) VALUES ('S1', 's', 'a', 1, 1, 3, true, true,"
    " '2026-01-01 00:00:00+00:00')",
    "INSERT INTO member (phone, password_hash, name, source, tier, points_balance,"
    " member_pack_units, joined_at) VALUES ('1', 'h', 'm', 'SELF', 'REGULAR', 0, 6,"
    " '2026-01-01 00:00:00+00:00')",
    "INSERT INTO voucher (member_id, ordinal, status, issued_at) VALUES"
    " ((SELECT id FROM member), 1, 'ISSUED', '2026-01-02 00:00:00+00:00')",
]


async def test_existing_vouchers_become_six_for_one(fresh_url: str) -> None:
    await _run(fresh_url, "models.0005_token_revocation")
    await _sql(fresh_url, *SEED)
    await _run(fresh_url)
    [rows] = await _sql(fresh_url, "SELECT kind, ordinal, store_id, valid_until FROM voucher")
    assert rows == [("SIX_FOR_ONE", 1, None, None)]
    with pytest.raises((IntegrityError, OperationalError)):
        await _sql(
            fresh_url,
            "INSERT INTO voucher (member_id, ordinal, kind, status, issued_at) VALUES"
            " ((SELECT id FROM member), 1, 'SIX_FOR_ONE', 'ISSUED', '2026-01-03 00:00:00+00:00')",
        )
    # Gifts have no ordinal: two of them do not collide on it.
    await _sql(
        fresh_url,
        "INSERT INTO voucher (member_id, kind, occasion, status, issued_at) VALUES"
        " ((SELECT id FROM member), 'BIRTHDAY', 'birthday:1:2026', 'ISSUED',"
        " '2026-01-03 00:00:00+00:00')",
        "INSERT INTO voucher (member_id, kind, occasion, status, issued_at) VALUES"
        " ((SELECT id FROM member), 'BIRTHDAY', 'birthday:1:2027', 'ISSUED',"
        " '2027-01-03 00:00:00+00:00')",
    )

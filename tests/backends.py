"""Which database and Redis the tests run on, and fresh copies of them.

By default: SQLite in a temporary file and the in-process Redis. With ``O2O_TEST_DATABASE_URL``
(a PostgreSQL server URL; a fresh database is made beside the one it names) and
``O2O_TEST_REDIS_URL``, the same tests run on the real services. ``O2O_REQUIRE_SERVICES=1``
turns an unreachable service into a failure instead of a skip.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from realtime.client import MEMORY_URL, connect

REQUIRE_SERVICES = os.environ.get("O2O_REQUIRE_SERVICES") == "1"
PG_URL = os.environ.get("O2O_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("O2O_TEST_REDIS_URL", MEMORY_URL)


@dataclass(frozen=True)
class Backend:
    database_url: str
    redis_url: str

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgres")

    @property
    def name(self) -> str:
        db = "postgres" if self.is_postgres else "sqlite"
        return f"{db}+{'memory' if self.redis_url == MEMORY_URL else 'redis'}"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def create_postgres_database(prefix: str = "o2o_test") -> str:
    """A new empty database on the test server; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(PG_URL), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        _unavailable(f"PostgreSQL at {PG_URL} does not answer: {exc}")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _with_database(PG_URL, name)


async def drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.strip("/")
    conn = await asyncpg.connect(_asyncpg_dsn(PG_URL), timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def check_redis(url: str) -> None:
    if url == MEMORY_URL:
        return
    client = connect(url)
    try:
        await client.ping()
    except Exception as exc:
        _unavailable(f"Redis at {url} does not answer: {exc}")
    finally:
        await client.aclose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite://{directory / f'o2o-{uuid.uuid4().hex[:8]}.sqlite3'}"


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (O2O_REQUIRE_SERVICES=1: the real services are required)")
    pytest.skip(reason)

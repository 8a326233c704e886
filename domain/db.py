"""Database connection and migrations (tortoise-orm's built-in migration engine)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as tortoise_migrate

# Each business area keeps its models beside its logic; one app label ("models") holds them all,
# so the committed migrations and their "models.Store"-style references are unchanged.
MODELS_MODULES = [
    "domain.stores.models",
    "domain.people.models",
    "domain.orders.models",
    "domain.loyalty.models",
    "domain.access.models",
    "domain.crm.models",
    "domain.crm.channel.models",
]
MIGRATIONS_MODULE = "domain.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise configuration for ``database_url`` (also read by the ``tortoise`` CLI)."""
    _ensure_sqlite_dir(database_url)
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": MODELS_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _normalise(url: str) -> str:
    # A pool of one connection serialises every request of a busy process: widen the default.
    if _is_postgres(url) and "maxsize" not in url:
        url += ("&" if "?" in url else "?") + "minsize=1&maxsize=20"
    return url


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def _connection(url: str) -> str | dict[str, Any]:
    """Tortoise's connection settings for ``url``; PostgreSQL's pool skips the reset query."""
    url = _normalise(url)
    if not _is_postgres(url):
        return url
    config = expand_db_url(url)
    config["credentials"]["reset"] = _keep_session
    return config


async def _keep_session(connection: object) -> None:
    """asyncpg's pool resets every connection it gets back (``RESET ALL``, ``UNLISTEN *``,
    ``CLOSE ALL``, advisory locks): a round trip after each query outside a transaction. o2o
    sets no session state, listens to nothing and holds no cursors or advisory locks, and the
    pool still rolls back a transaction left open, so the reset is skipped."""


def _ensure_sqlite_dir(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        return
    path = (parts.netloc + parts.path) if parts.netloc else parts.path
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


async def open_database(database_url: str, *, create: bool = False) -> TortoiseContext:
    """Open the database for this process; every task sees it (lifespan and requests alike)."""
    ctx = TortoiseContext()
    with ctx:  # current while models are bound; the global fallback serves every task after
        await ctx.init(
            config=tortoise_config(database_url), _create_db=create, _enable_global_fallback=True
        )
    return ctx


async def close_database(ctx: TortoiseContext) -> None:
    await ctx.close_connections()


class DatabaseProbe:
    """Whether the database answers, asked on a connection of the probe's own (PostgreSQL).

    Through the pool, ``SELECT 1`` waits behind every query queued for a connection: under a
    burst (thousands of subscriptions replaying their offers) the health check then timed out
    and called a database that answered in milliseconds unavailable. The probe's connection
    is opened when first needed, and again after any failure. SQLite has no pool to wait on:
    the probe asks Tortoise's connection.
    """

    def __init__(self, ctx: TortoiseContext, database_url: str, *, wait: float = 2.0) -> None:
        self._ctx = ctx
        self._wait = wait  # for connecting, and for the answer
        self._credentials: dict[str, Any] | None = None
        if _is_postgres(database_url):
            given = expand_db_url(_normalise(database_url))["credentials"]
            wanted = ("host", "port", "user", "password", "database", "ssl")
            self._credentials = {key: given[key] for key in wanted if given.get(key) is not None}
        self._connection: Any = None
        self._lock = asyncio.Lock()

    async def check(self) -> None:
        """Return when the database answers ``SELECT 1``; raise otherwise."""
        if self._credentials is None:
            await self._ctx.db().execute_query("SELECT 1")
            return
        async with self._lock:
            try:
                if self._connection is None or self._connection.is_closed():
                    self._connection = await asyncpg.connect(
                        **self._credentials, timeout=self._wait
                    )
                await self._connection.fetchval("SELECT 1", timeout=self._wait)
            except BaseException:  # a timeout or a cancellation too: start afresh next time
                self._drop()
                raise

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.terminate()
            self._connection = None

    async def close(self) -> None:
        async with self._lock:
            if self._connection is not None:
                await self._connection.close()
                self._connection = None


async def migrate(database_url: str, progress: Callable[[str], object] | None = None) -> None:
    """Apply every migration not yet applied."""

    def report(event: str, app_label: str, name: str) -> None:
        if progress is not None and event == "apply_done":
            progress(f"applied {app_label}.{name}")

    async with TortoiseContext():
        await tortoise_migrate(config=tortoise_config(database_url), progress=report)


# For tortoise's own CLI (`tortoise -c domain.db.TORTOISE_ORM makemigrations`): the autodetector
# compares the models with the committed migrations and needs no real database.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")

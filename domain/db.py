"""Database connection and migrations (tortoise-orm's built-in migration engine)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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

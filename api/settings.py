"""Settings read once from the environment; a bad value stops start-up with one clear line."""

from __future__ import annotations

import ipaddress
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite://var/o2o.sqlite3"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class AbuseLimits:
    """Budgets against abuse; a count of 0 turns that limit off (benchmarks do)."""

    login_failures_per_phone: int = 5  # per 15 minutes
    logins_per_address: int = 30  # per 15 minutes
    order_place_per_minute: int = 10
    points_redeem_per_minute: int = 10
    max_body_bytes: int = 64 * 1024
    # From a request's first byte to the end of its headers, and then to the end of its body:
    # a client slower than that is answered 408 and its connection closed.
    http_header_timeout_seconds: float = 10.0
    http_body_timeout_seconds: float = 15.0
    ws_init_timeout_seconds: float = 10.0
    max_subscriptions_per_connection: int = 20

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AbuseLimits:
        return cls(
            login_failures_per_phone=_count(env, "LOGIN_FAILURES_PER_PHONE", 5),
            logins_per_address=_count(env, "LOGIN_ATTEMPTS_PER_ADDRESS", 30),
            order_place_per_minute=_count(env, "ORDER_PLACE_PER_MINUTE", 10),
            points_redeem_per_minute=_count(env, "POINTS_REDEEM_PER_MINUTE", 10),
            max_body_bytes=_count(env, "MAX_BODY_BYTES", 64 * 1024) or 64 * 1024,
            http_header_timeout_seconds=_positive_float(env, "HTTP_HEADER_TIMEOUT_SECONDS", 10.0),
            http_body_timeout_seconds=_positive_float(env, "HTTP_BODY_TIMEOUT_SECONDS", 15.0),
            ws_init_timeout_seconds=_positive_float(env, "WS_INIT_TIMEOUT_SECONDS", 10.0),
            max_subscriptions_per_connection=_count(env, "MAX_SUBSCRIPTIONS_PER_CONNECTION", 20)
            or 20,
        )


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = "memory://"
    # Connections to Redis per process; a command waits up to the timeout when all are busy.
    redis_max_connections: int = 100
    redis_pool_timeout_seconds: float = 10.0
    offer_timeout_seconds: float = 3600.0
    reconcile_seconds: float = 60.0
    deadline_lease_seconds: float = 30.0
    secret_key: str = ""
    # True when SECRET_KEY was not set: tokens then die with the process.
    secret_key_generated: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    token_ttl_seconds: int = 7 * 24 * 3600
    explorer: bool = True
    max_query_depth: int = 12
    max_aliases: int = 15
    max_tokens: int = 2000
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (a reverse proxy's address
    # or network, or "*"); none by default: any client could claim any address otherwise, and
    # take a fresh per-address budget with each request.
    forwarded_allow_ips: tuple[str, ...] = ()
    # The bearer token a scraper sends for /metrics; unset, /metrics answers no one.
    metrics_token: str = ""
    abuse: AbuseLimits = field(default_factory=lambda: AbuseLimits())

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        database_url = _database_url(env.get("DATABASE_URL", DEFAULT_DATABASE_URL))
        redis_url = _redis_url(env.get("REDIS_URL", "memory://"))
        secret = _secret_key(env.get("SECRET_KEY", ""), demo=_is_demo(database_url, redis_url))
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            redis_max_connections=_positive_count(env, "REDIS_MAX_CONNECTIONS", 100),
            redis_pool_timeout_seconds=_positive_float(env, "REDIS_POOL_TIMEOUT_SECONDS", 10.0),
            offer_timeout_seconds=_positive_float(env, "OFFER_TIMEOUT_SECONDS", 3600.0),
            reconcile_seconds=_positive_float(env, "RECONCILE_SECONDS", 60.0),
            deadline_lease_seconds=_positive_float(env, "DEADLINE_LEASE_SECONDS", 30.0),
            secret_key=secret or secrets.token_urlsafe(32),
            secret_key_generated=not secret,
            host=env.get("HOST", "127.0.0.1") or "127.0.0.1",
            port=_port(env.get("PORT", "8000")),
            token_ttl_seconds=int(_positive_float(env, "TOKEN_TTL_SECONDS", 7 * 24 * 3600)),
            explorer=_flag(env, "GRAPHQL_EXPLORER", default=True),
            forwarded_allow_ips=_peers(env.get("FORWARDED_ALLOW_IPS", "")),
            metrics_token=_metrics_token(env.get("METRICS_TOKEN", "")),
            abuse=AbuseLimits.from_env(env),
        )


MIN_SECRET_KEY = 32


def _is_demo(database_url: str, redis_url: str) -> bool:
    """The embedded mode (SQLite and the in-process Redis): one process on one machine."""
    return database_url.startswith("sqlite") and redis_url == "memory://"


def _secret_key(secret: str, *, demo: bool) -> str:
    if not secret and not demo:
        raise SettingsError(
            "SECRET_KEY: required outside the embedded demo mode (SQLite + memory://); "
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if secret and len(secret) < MIN_SECRET_KEY:
        raise SettingsError(f"SECRET_KEY: must have at least {MIN_SECRET_KEY} characters")
    return secret


MIN_METRICS_TOKEN = 16


def _metrics_token(token: str) -> str:
    token = token.strip()
    if token and len(token) < MIN_METRICS_TOKEN:
        raise SettingsError(f"METRICS_TOKEN: must have at least {MIN_METRICS_TOKEN} characters")
    if token and not token.isprintable():
        raise SettingsError("METRICS_TOKEN: must be printable text (it is sent in a header)")
    return token


def _database_url(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "asyncpg"}:
        raise SettingsError(
            f"DATABASE_URL: expected sqlite://PATH or postgres://USER@HOST/DB, got {url!r}"
        )
    if scheme != "sqlite" and not urlsplit(url).path.strip("/"):
        raise SettingsError(f"DATABASE_URL: no database name in {url!r}")
    return url


def _redis_url(url: str) -> str:
    if url == "memory://":
        return url
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError(f"REDIS_URL: expected memory:// or redis://HOST:PORT/DB, got {url!r}")
    try:
        parts.port  # noqa: B018  (parsing the port is the check)
    except ValueError as exc:
        raise SettingsError(f"REDIS_URL: bad port in {url!r}") from exc
    return url


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a number of seconds, got {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{name}: must be a positive number of seconds, got {raw!r}")
    return value


def _peers(raw: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (``10.0.0.0/8``, ``::1``), or ``*`` for any."""
    peers = tuple(item.strip() for item in raw.split(",") if item.strip())
    for peer in peers:
        if peer == "*":
            continue
        try:
            ipaddress.ip_network(peer, strict=False)
        except ValueError:
            raise SettingsError(
                f"FORWARDED_ALLOW_IPS: {peer!r} is not an IP address, a network or *"
            ) from None
    return peers


def _port(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"PORT: expected a port number 1-65535, got {raw!r}")
    return int(raw)


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}: expected true or false, got {raw!r}")


def _positive_count(env: Mapping[str, str], name: str, default: int) -> int:
    value = _count(env, name, default)
    if value <= 0:
        raise SettingsError(f"{name}: must be at least 1, got {value}")
    return value


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit():
        raise SettingsError(f"{name}: expected a whole number (0 turns it off), got {raw!r}")
    return int(raw)

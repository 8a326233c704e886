"""Settings read once from the environment; a bad value stops start-up with one clear line."""

from __future__ import annotations

import ipaddress
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from domain.crm.channel.statements import DEFAULT_YUAN_PER_POINT
from realtime.rate_limits import Rate, RateLimits

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
        d = cls()
        return cls(
            login_failures_per_phone=_count(
                env, "LOGIN_FAILURES_PER_PHONE", d.login_failures_per_phone
            ),
            logins_per_address=_count(env, "LOGIN_ATTEMPTS_PER_ADDRESS", d.logins_per_address),
            order_place_per_minute=_count(env, "ORDER_PLACE_PER_MINUTE", d.order_place_per_minute),
            points_redeem_per_minute=_count(
                env, "POINTS_REDEEM_PER_MINUTE", d.points_redeem_per_minute
            ),
            max_body_bytes=_count(env, "MAX_BODY_BYTES", d.max_body_bytes) or d.max_body_bytes,
            http_header_timeout_seconds=_positive_float(
                env, "HTTP_HEADER_TIMEOUT_SECONDS", d.http_header_timeout_seconds
            ),
            http_body_timeout_seconds=_positive_float(
                env, "HTTP_BODY_TIMEOUT_SECONDS", d.http_body_timeout_seconds
            ),
            ws_init_timeout_seconds=_positive_float(
                env, "WS_INIT_TIMEOUT_SECONDS", d.ws_init_timeout_seconds
            ),
            max_subscriptions_per_connection=_count(
                env, "MAX_SUBSCRIPTIONS_PER_CONNECTION", d.max_subscriptions_per_connection
            )
            or d.max_subscriptions_per_connection,
        )

    def budgets(self) -> RateLimits:
        """The rate limits these settings give (windows of 15 minutes and of one minute)."""
        return RateLimits(
            login_failures_per_phone=Rate("login-phone", self.login_failures_per_phone, 900),
            logins_per_address=Rate("login-address", self.logins_per_address, 900),
            order_place=Rate("order-place", self.order_place_per_minute, 60),
            points_redeem=Rate("points-redeem", self.points_redeem_per_minute, 60),
        )


@dataclass(frozen=True)
class CrmSettings:
    """The data centre: call-back rules, the morning run, the outbox."""

    brand_timezone: str = "Asia/Shanghai"
    first_purchase_call_days: int = 3
    run_out_lead_days: int = 3
    lapsed_after_days: int = 30
    callback_hour: int = 7
    birthday_gift_sku: str | None = None
    message_webhook_url: str | None = None
    message_max_attempts: int = 8

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CrmSettings:
        d = cls()
        return cls(
            brand_timezone=_timezone(env.get("BRAND_TIMEZONE", "") or d.brand_timezone),
            first_purchase_call_days=_within(
                env, "FIRST_PURCHASE_CALL_DAYS", d.first_purchase_call_days, 1, 5
            ),
            run_out_lead_days=_within(env, "RUN_OUT_LEAD_DAYS", d.run_out_lead_days, 0, 60),
            lapsed_after_days=_within(env, "LAPSED_AFTER_DAYS", d.lapsed_after_days, 1, 365),
            callback_hour=_within(env, "CALLBACK_HOUR", d.callback_hour, 0, 23),
            birthday_gift_sku=(env.get("BIRTHDAY_GIFT_SKU", "").strip().upper() or None),
            message_webhook_url=_webhook(env.get("MESSAGE_WEBHOOK_URL", "")),
            message_max_attempts=_within(
                env, "MESSAGE_MAX_ATTEMPTS", d.message_max_attempts, 1, 100
            ),
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
    # Selections of one document with its fragments expanded, and repeats of one field there.
    max_selections: int = 1000
    max_repeats: int = 20
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (a reverse proxy's address
    # or network, or "*"); none by default: any client could claim any address otherwise, and
    # take a fresh per-address budget with each request.
    forwarded_allow_ips: tuple[str, ...] = ()
    # The bearer token a scraper sends for /metrics; unset, /metrics answers no one.
    metrics_token: str = ""
    abuse: AbuseLimits = field(default_factory=lambda: AbuseLimits())
    settlement_yuan_per_point: Decimal = DEFAULT_YUAN_PER_POINT
    crm: CrmSettings = field(default_factory=lambda: CrmSettings())

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        d = cls()
        database_url = _database_url(env.get("DATABASE_URL", d.database_url))
        redis_url = _redis_url(env.get("REDIS_URL", d.redis_url))
        secret = _secret_key(env.get("SECRET_KEY", ""), demo=_is_demo(database_url, redis_url))
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            redis_max_connections=_positive_count(
                env, "REDIS_MAX_CONNECTIONS", d.redis_max_connections
            ),
            redis_pool_timeout_seconds=_positive_float(
                env, "REDIS_POOL_TIMEOUT_SECONDS", d.redis_pool_timeout_seconds
            ),
            offer_timeout_seconds=_positive_float(
                env, "OFFER_TIMEOUT_SECONDS", d.offer_timeout_seconds
            ),
            reconcile_seconds=_positive_float(env, "RECONCILE_SECONDS", d.reconcile_seconds),
            deadline_lease_seconds=_positive_float(
                env, "DEADLINE_LEASE_SECONDS", d.deadline_lease_seconds
            ),
            secret_key=secret or secrets.token_urlsafe(32),
            secret_key_generated=not secret,
            host=env.get("HOST", d.host) or d.host,
            port=_port(env.get("PORT", str(d.port))),
            token_ttl_seconds=int(_positive_float(env, "TOKEN_TTL_SECONDS", d.token_ttl_seconds)),
            explorer=_flag(env, "GRAPHQL_EXPLORER", default=d.explorer),
            forwarded_allow_ips=_peers(env.get("FORWARDED_ALLOW_IPS", "")),
            metrics_token=_metrics_token(env.get("METRICS_TOKEN", "")),
            abuse=AbuseLimits.from_env(env),
            settlement_yuan_per_point=_yuan(
                env, "SETTLEMENT_YUAN_PER_POINT", d.settlement_yuan_per_point
            ),
            crm=CrmSettings.from_env(env),
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


def _yuan(env: Mapping[str, str], name: str, default: Decimal) -> Decimal:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name}: expected an amount in yuan, e.g. 0.01, got {raw!r}") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.0001")):
        raise SettingsError(f"{name}: must be 0 or more, at most 4 decimals, got {raw!r}")
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


def _within(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name}: expected a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


def _timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"BRAND_TIMEZONE: expected an IANA time zone such as Asia/Shanghai, got {name!r}"
        ) from None
    return name


def _webhook(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError(f"MESSAGE_WEBHOOK_URL: expected an http(s):// URL, got {url!r}")
    return url

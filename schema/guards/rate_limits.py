"""Rate limits kept in Redis, so that every API process counts against the same budget.

Fixed windows: the first hit of a window sets its expiry, every hit adds one, and a caller over
the budget is refused until the window ends (``extensions.retryAfterSeconds`` says when).

Mutations that spend something call :func:`limit_member` first: ``orderPlace`` does, and
``pointsRedeem`` is meant to call ``limit_member(info, POINTS_REDEEM)`` the same way.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from realtime import keys
from realtime.client import Redis
from realtime.rate_limits import Rate
from schema.core.errors import Code, PublicError

if TYPE_CHECKING:
    from schema.core.context import Info

RATE_LIMITED = Code.RATE_LIMITED


class RateLimited(PublicError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(f"{message} Try again in {retry_after} s.", RATE_LIMITED)
        self.extensions = {"code": RATE_LIMITED, "retryAfterSeconds": retry_after}
        self.retry_after = retry_after


def _key(rate: Rate, subject: str) -> str:
    # Subjects may be phone numbers: only a digest of them is stored.
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    return keys.rate_window(rate.name, digest)


async def hit(redis: Redis, rate: Rate, subject: str) -> tuple[int, int]:
    """Count one hit; ``(hits in this window, seconds until it ends)``."""
    key = _key(rate, subject)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, rate.window_seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = await pipe.execute()
    return int(count), max(int(ttl), 1)


async def spend(redis: Redis, rate: Rate, subject: str, message: str) -> None:
    """Count one hit and refuse it when it is over the budget (a limit of 0 is off)."""
    if rate.limit <= 0:
        return
    count, retry_after = await hit(redis, rate, subject)
    if count > rate.limit:
        raise RateLimited(message, retry_after)


async def check(redis: Redis, rate: Rate, subject: str, message: str) -> None:
    """Refuse when the budget is already spent, without counting a hit."""
    if rate.limit <= 0:
        return
    key = _key(rate, subject)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = await pipe.execute()
    if count is not None and int(count) >= rate.limit:
        raise RateLimited(message, max(int(ttl), 1))


async def forget(redis: Redis, rate: Rate, subject: str) -> None:
    await redis.delete(_key(rate, subject))


async def limit_member(info: Info, rate: Rate) -> None:
    """Refuse a member's call over ``rate`` (``orderPlace``, ``pointsRedeem``)."""
    principal = info.context.viewer()
    if principal is None:
        return
    await spend(
        info.context.services.redis,
        rate,
        f"{principal.role.value}:{principal.user_id}",
        "Too many requests of this kind.",
    )


async def guard_sign_in(info: Info, phone: str) -> None:
    """Before checking a password: refuse a locked-out phone or a too busy client address."""
    services = info.context.services
    address = info.context.client_address
    if address is not None:
        await spend(
            services.redis,
            services.rate_limits.logins_per_address,
            address,
            "Too many sign-in attempts from this address.",
        )
    await check(
        services.redis,
        services.rate_limits.login_failures_per_phone,
        phone.strip(),
        "Too many failed sign-ins for this phone.",
    )


async def record_sign_in(info: Info, phone: str, *, succeeded: bool) -> None:
    services = info.context.services
    rate = services.rate_limits.login_failures_per_phone
    if rate.limit <= 0:
        return
    if succeeded:
        await forget(services.redis, rate, phone.strip())
    else:
        await hit(services.redis, rate, phone.strip())

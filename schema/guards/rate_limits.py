"""Rate limits kept in Redis, so that every API process counts against the same budget.

Fixed windows: the first hit of a window sets its expiry, every hit adds one, and a caller over
the budget is refused until the window ends (``extensions.retryAfterSeconds`` says when).

Mutations that spend something call :func:`limit_member` first: ``orderPlace`` does, and
``pointsRedeem`` is meant to call ``limit_member(info, POINTS_REDEEM)`` the same way.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from domain.access.accounts import AccountKind, sign_in_phone
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


async def spend_shared(redis: Redis, rate: Rate, subject: str, part: str, message: str) -> None:
    """Count one hit for ``part`` of ``subject`` and refuse it when all parts together are over
    the budget. Parts are counted apart so that :func:`forgive` can clear one of them alone."""
    if rate.limit <= 0:
        return
    key = _key(rate, subject) + ":parts"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hincrby(key, part, 1)
        pipe.expire(key, rate.window_seconds, nx=True)
        pipe.hvals(key)
        pipe.ttl(key)
        _, _, counts, ttl = await pipe.execute()
    if sum(int(count) for count in counts) > rate.limit:
        raise RateLimited(message, max(int(ttl), 1))


async def forgive(redis: Redis, rate: Rate, subject: str, part: str) -> None:
    """Clear the hits counted for ``part`` of ``subject``; the other parts' stay."""
    if rate.limit > 0:
        await redis.hdel(_key(rate, subject) + ":parts", part)


async def guard_sign_in(info: Info, phone: str, kind: AccountKind) -> None:
    """Before checking a password: refuse a locked-out phone or a too busy client address.

    The attempt is counted against the phone at once, as if it failed (a success takes it
    back): counting only after the password check let concurrent guesses all pass the check
    before any was counted. The phone is the one sign-in looks up ("139 0000 0028" is
    13900000028), and its count covers every account on it: the admin's, the staff member's
    and the member's failures add up to one budget. A success clears only the failures
    against the account it opened, so a member registered on a clerk's phone (anyone may
    register a member) cannot sign in between guesses at the clerk's password to reset them.
    """
    services = info.context.services
    address = info.context.client_address
    if address is not None:
        await spend(
            services.redis,
            services.rate_limits.logins_per_address,
            address,
            "Too many sign-in attempts from this address.",
        )
    await spend_shared(
        services.redis,
        services.rate_limits.login_failures_per_phone,
        sign_in_phone(phone),
        kind.value,
        "Too many failed sign-ins for this phone.",
    )


async def record_sign_in(info: Info, phone: str, kind: AccountKind, *, succeeded: bool) -> None:
    """After checking the password: a success takes back the failures against that account."""
    if succeeded:
        services = info.context.services
        await forgive(
            services.redis,
            services.rate_limits.login_failures_per_phone,
            sign_in_phone(phone),
            kind.value,
        )

"""Revoked tokens: checked in Redis on every request, kept in the database for good.

A token is refused when its own id was revoked (sign-out) or when its subject's tokens were all
revoked after it was issued (staff removed from a store). Each revocation is written to the
database first, then to Redis. Redis keeps nothing on disk here, so a marker key says that
Redis holds every revocation: when a restart or a flush has lost it, the next check refills
Redis from the database before it answers. Each entry lives no longer than a token does.
"""

from __future__ import annotations

import time

from domain.access.models import TokenRevocation
from domain.access.tokens import Session
from domain.principal import Principal
from realtime import keys
from realtime.client import Redis

LOADED = keys.REVOKED_LOADED
_token_key = keys.revoked_token


def _subject_key(principal: Principal) -> str:
    return keys.revoked_since(principal.role.value, principal.user_id)


async def _keep(redis: Redis, key: str, value: int, expires_at: int, now: float) -> None:
    await TokenRevocation.update_or_create(
        key=key, defaults={"value": value, "expires_at": expires_at}
    )
    await redis.set(key, str(value), ex=max(int(expires_at - now), 1))


async def revoke(redis: Redis, session: Session, now: float) -> None:
    """Sign this one token out."""
    await _keep(redis, _token_key(session.token_id), 1, session.expires_at, now)


async def revoke_all(redis: Redis, principal: Principal, now: float, token_ttl: int) -> None:
    """Refuse every token of ``principal`` issued until now."""
    await _keep(redis, _subject_key(principal), int(now), int(now) + max(token_ttl, 1), now)


async def restore(redis: Redis, now: float) -> int:
    """Copy every revocation still in force from the database into Redis; how many."""
    rows = await TokenRevocation.filter(expires_at__gt=int(now)).values_list(
        "key", "value", "expires_at"
    )
    async with redis.pipeline(transaction=False) as pipe:
        for key, value, expires_at in rows:
            pipe.set(key, str(value), ex=max(int(expires_at - now), 1))
        pipe.set(LOADED, "1")
        await pipe.execute()
    await TokenRevocation.filter(expires_at__lte=int(now)).delete()
    return len(rows)


async def is_revoked(redis: Redis, session: Session) -> bool:
    keys = (_token_key(session.token_id), _subject_key(session.principal), LOADED)
    token, since, loaded = await redis.mget(*keys)
    if loaded is None:
        await restore(redis, time.time())
        token, since, _ = await redis.mget(*keys)
    return token is not None or (since is not None and session.issued_at <= int(since))

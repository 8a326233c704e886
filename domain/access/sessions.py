"""Revoked tokens: checked in Redis on every request, kept in the database for good.

A token is refused when its own id was revoked (sign-out) or when its subject's tokens were all
revoked after it was issued (staff removed from a store). Each revocation is written to the
database first, then to Redis. Redis keeps nothing on disk here, so a marker key says that
Redis holds every revocation: when a restart or a flush has lost it, the next check refills
Redis from the database before it answers. Each entry lives no longer than a token does.

Once both are written, the revocation is published on the event bus (``REVOCATION_EVENTS``):
a WebSocket outlives the check made when it opened, and every API process closes the sockets
a revocation names.
"""

from __future__ import annotations

import time
from enum import Enum

from domain.access.models import TokenRevocation
from domain.access.tokens import Session
from domain.principal import Principal
from realtime import keys
from realtime.bus import EventBus
from realtime.client import Redis

LOADED = keys.REVOKED_LOADED
_token_key = keys.revoked_token


class Revoked(Enum):
    """Why a token is refused."""

    TOKEN = "token"  # this token was signed out
    SUBJECT = "subject"  # every token its account held until a moment: staff removed


def subject_of(principal: Principal) -> str:
    """Whose tokens a ``revoke_all`` names, as its published message says it."""
    return f"{principal.role.value}:{principal.user_id}"


def _subject_key(principal: Principal) -> str:
    return keys.revoked_since(principal.role.value, principal.user_id)


async def _keep(redis: Redis, key: str, value: int, expires_at: int, now: float) -> None:
    await TokenRevocation.update_or_create(
        key=key, defaults={"value": value, "expires_at": expires_at}
    )
    await redis.set(key, str(value), ex=max(int(expires_at - now), 1))


async def revoke(redis: Redis, bus: EventBus, session: Session, now: float) -> None:
    """Sign this one token out."""
    await _keep(redis, _token_key(session.token_id), 1, session.expires_at, now)
    await bus.publish(keys.REVOCATION_EVENTS, {"token": session.token_id})


async def revoke_all(
    redis: Redis, bus: EventBus, principal: Principal, now: float, token_ttl: int
) -> None:
    """Refuse every token of ``principal`` issued until now."""
    since = int(now)
    await _keep(redis, _subject_key(principal), since, since + max(token_ttl, 1), now)
    await bus.publish(keys.REVOCATION_EVENTS, {"subject": subject_of(principal), "since": since})


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


async def revocation(redis: Redis, session: Session) -> Revoked | None:
    """Why ``session`` is refused, or None while it is not."""
    keys = (_token_key(session.token_id), _subject_key(session.principal), LOADED)
    token, since, loaded = await redis.mget(*keys)
    if loaded is None:
        await restore(redis, time.time())
        token, since, _ = await redis.mget(*keys)
    if since is not None and session.issued_at <= int(since):
        return Revoked.SUBJECT
    return Revoked.TOKEN if token is not None else None


async def is_revoked(redis: Redis, session: Session) -> bool:
    return await revocation(redis, session) is not None

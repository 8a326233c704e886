"""Revoked tokens, kept in Redis until they would have expired anyway.

A token is refused when its own id was revoked (sign-out) or when its subject's tokens were all
revoked after it was issued (staff removed from a store). Redis must persist (AOF or RDB) for
revocations to outlive a restart of Redis; each entry lives no longer than a token does.
"""

from __future__ import annotations

from domain.principal import Principal
from domain.tokens import Session
from realtime.client import Redis
from realtime.keys import PREFIX


def _token_key(token_id: str) -> str:
    return f"{PREFIX}:revoked:token:{token_id}"


def _subject_key(principal: Principal) -> str:
    return f"{PREFIX}:revoked:since:{principal.role.value}:{principal.user_id}"


async def revoke(redis: Redis, session: Session, now: float) -> None:
    """Sign this one token out."""
    ttl = max(int(session.expires_at - now), 1)
    await redis.set(_token_key(session.token_id), "1", ex=ttl)


async def revoke_all(redis: Redis, principal: Principal, now: float, token_ttl: int) -> None:
    """Refuse every token of ``principal`` issued until now."""
    await redis.set(_subject_key(principal), str(int(now)), ex=max(token_ttl, 1))


async def is_revoked(redis: Redis, session: Session) -> bool:
    token, since = await redis.mget(_token_key(session.token_id), _subject_key(session.principal))
    return token is not None or (since is not None and session.issued_at <= int(since))

"""Signed access tokens (JWT, HS256) that carry a principal."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from domain.errors import Unauthenticated
from domain.principal import Principal, Role

ALGORITHM = "HS256"
EXPIRED = "The token has expired; sign in again."
ISSUER = "o2o"


@dataclass(frozen=True)
class Session:
    """A verified token: whose it is, its id, and when it was issued and ends (epoch s)."""

    principal: Principal
    token_id: str
    issued_at: int
    expires_at: int


# Tokens verified lately, by their text: a client sends the same one with every request, and
# checking its signature and claims again was a tenth of the CPU of a small request.
VERIFIED_CACHE_SIZE = 10_000


class TokenCodec:
    def __init__(
        self, secret: str, ttl_seconds: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._clock = clock
        self._verified: OrderedDict[str, Session] = OrderedDict()

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    def issue(self, principal: Principal, *, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        claims = {
            "iss": ISSUER,
            "sub": f"{principal.role.value}:{principal.user_id}",
            "role": principal.role.value,
            "store": principal.store_id,
            "iat": issued,
            "exp": issued + self._ttl,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def seconds_left(self, session: Session) -> float:
        """How long ``session`` has until it expires, on this codec's clock (0 or less: over)."""
        return session.expires_at - self._clock()

    def read(self, token: str) -> Principal:
        """The token's principal; ``Unauthenticated`` for an expired, forged or malformed one."""
        return self.read_session(token).principal

    def read_session(self, token: str) -> Session:
        """The verified token; ``Unauthenticated`` for an expired, forged or malformed one.

        A token verified before is only checked for expiry again: its text cannot change.
        """
        session = self._verified.get(token)
        if session is None:
            session = self._verify(token)
            self._verified[token] = session
            if len(self._verified) > VERIFIED_CACHE_SIZE:
                self._verified.popitem(last=False)
        if session.expires_at <= self._clock():  # as PyJWT decides it
            del self._verified[token]
            raise Unauthenticated(EXPIRED)
        return session

    def _verify(self, token: str) -> Session:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated(EXPIRED) from None
        except jwt.PyJWTError:
            raise Unauthenticated("The token is not valid.") from None
        try:
            role = Role(claims["role"])
            user_id = int(str(claims["sub"]).split(":", 1)[1])
            store = claims.get("store")
            principal = Principal(
                role=role, user_id=user_id, store_id=int(store) if store else None
            )
            return Session(
                principal=principal,
                token_id=str(claims.get("jti") or ""),
                issued_at=int(claims["iat"]),
                expires_at=int(claims["exp"]),
            )
        except (ValueError, IndexError, TypeError):
            raise Unauthenticated("The token is not valid.") from None

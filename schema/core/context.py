"""What every resolver gets: the caller, per-request loaders and the process's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from redis.exceptions import RedisError
from strawberry.types import Info as StrawberryInfo

from domain.access import sessions
from domain.access.tokens import Session, TokenCodec
from domain.crm import generation
from domain.crm.channel.statements import DEFAULT_YUAN_PER_POINT
from domain.errors import Unauthenticated
from domain.orders import Dispatch
from domain.principal import Principal, Role
from realtime.bus import EventBus
from realtime.client import Redis
from realtime.geo import GeoIndex
from realtime.rate_limits import RateLimits
from schema.core.errors import Code, PublicError, forbidden, unauthenticated
from schema.core.loaders import Loaders
from schema.core.outages import is_unavailable

REVOKED = "The token was revoked; sign in again."
UNCHECKED = "Sign-in cannot be checked right now; try again shortly."


@dataclass
class Services:
    """Long-lived collaborators, built once per process by the composition root."""

    tokens: TokenCodec
    redis: Redis
    store_index: GeoIndex
    bus: EventBus
    dispatch: Dispatch
    rate_limits: RateLimits
    # SETTLEMENT_YUAN_PER_POINT: what the brand pays a store per point its counter issued.
    settlement_yuan_per_point: Decimal = DEFAULT_YUAN_PER_POINT
    # The call-back rules, the brand's time zone and its birthday gift (api.runtime builds it
    # from the CRM settings): what callbackTasksGenerate makes a day with.
    crm: generation.Settings = field(default_factory=generation.Settings)

    def today(self) -> date:
        """The brand's day now (call-back lists and birthdays are by it)."""
        return generation.local_day(self.dispatch.now(), self.crm.zone())


@dataclass
class Context:
    services: Services
    principal: Principal | None = None
    # Why the credentials sent were refused (expired, forged): raised when a resolver asks.
    auth_failure: str | None = None
    auth_code: str = Code.UNAUTHENTICATED
    loaders: Loaders = field(default_factory=Loaders)
    request: Any = None
    connection_params: dict[str, Any] | None = None
    # The verified token the caller sent (its id is what ``tokenRevoke`` revokes).
    session: Session | None = None

    @classmethod
    def for_token(cls, services: Services, token: str | None) -> Context:
        if not token:
            return cls(services=services)
        try:
            return cls(services=services, principal=services.tokens.read(token))
        except Unauthenticated as exc:
            return cls(services=services, auth_failure=exc.message)

    @classmethod
    async def for_checked_token(cls, services: Services, token: str | None) -> Context:
        """As ``for_token``, and a token that was revoked is refused too."""
        if not token:
            return cls(services=services)
        try:
            session = services.tokens.read_session(token)
        except Unauthenticated as exc:
            return cls(services=services, auth_failure=exc.message)
        try:
            revoked = await sessions.is_revoked(services.redis, session)
        except Exception as exc:
            if not isinstance(exc, RedisError | OSError) and not is_unavailable(exc):
                raise
            # Fail closed: a token that cannot be checked is not accepted.
            return cls(
                services=services, auth_failure=UNCHECKED, auth_code=Code.SERVICE_UNAVAILABLE
            )
        if revoked:
            return cls(services=services, auth_failure=REVOKED)
        return cls(services=services, principal=session.principal, session=session)

    @property
    def client_address(self) -> str | None:
        client = getattr(self.request, "client", None)
        return getattr(client, "host", None)

    def viewer(self) -> Principal | None:
        """The caller, or None when anonymous; a refused token is an error, not anonymity."""
        if self.auth_failure is not None:
            raise PublicError(self.auth_failure, self.auth_code)
        return self.principal

    @property
    def actor(self) -> Principal:
        """The caller of a field whose permission class already let them through."""
        return self.require()

    def require(self, *roles: Role) -> Principal:
        principal = self.viewer()
        if principal is None:
            raise unauthenticated()
        if roles and principal.role not in roles:
            raise forbidden()
        return principal


Info = StrawberryInfo[Context, None]

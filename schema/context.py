"""What every resolver gets: the caller, per-request loaders and the process's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from domain.errors import Unauthenticated
from domain.orders import Dispatch
from domain.principal import Principal, Role
from domain.tokens import TokenCodec
from realtime.bus import EventBus
from realtime.client import Redis
from realtime.geo import GeoIndex
from schema.errors import forbidden, unauthenticated
from schema.loaders import Loaders
from schema.rate_limits import RateLimits


@dataclass
class Services:
    """Long-lived collaborators, built once per process by the composition root."""

    tokens: TokenCodec
    redis: Redis
    store_index: GeoIndex
    bus: EventBus
    dispatch: Dispatch
    rate_limits: RateLimits = field(default_factory=RateLimits)


@dataclass
class Context:
    services: Services
    principal: Principal | None = None
    # Why the credentials sent were refused (expired, forged): raised when a resolver asks.
    auth_failure: str | None = None
    loaders: Loaders = field(default_factory=Loaders)
    request: Any = None
    connection_params: dict[str, Any] | None = None

    @classmethod
    def for_token(cls, services: Services, token: str | None) -> Context:
        if not token:
            return cls(services=services)
        try:
            return cls(services=services, principal=services.tokens.read(token))
        except Unauthenticated as exc:
            return cls(services=services, auth_failure=exc.message)

    @property
    def client_address(self) -> str | None:
        client = getattr(self.request, "client", None)
        return getattr(client, "host", None)

    def viewer(self) -> Principal | None:
        """The caller, or None when anonymous; a refused token is an error, not anonymity."""
        if self.auth_failure is not None:
            raise unauthenticated(self.auth_failure)
        return self.principal

    def require(self, *roles: Role) -> Principal:
        principal = self.viewer()
        if principal is None:
            raise unauthenticated()
        if roles and principal.role not in roles:
            raise forbidden()
        return principal


Info = StrawberryInfo[Context, None]

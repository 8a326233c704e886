"""Signing out, and removing staff (whose tokens stop working at once)."""

from __future__ import annotations

import time

import strawberry

from domain import sessions, staff_access
from domain.principal import Principal, Role
from schema.context import Info
from schema.errors import attempt
from schema.payloads import StaffPayload
from schema.relay import decode_id
from schema.types import Staff


@strawberry.type
class TokenRevokePayload:
    revoked: bool


@strawberry.type
class SessionMutation:
    @strawberry.mutation(description="Sign out: the token this request carries stops working.")
    async def token_revoke(self, info: Info) -> TokenRevokePayload:
        info.context.require()
        session = info.context.session
        if session is None:
            return TokenRevokePayload(revoked=False)
        services = info.context.services
        await sessions.revoke(services.redis, services.bus, session, time.time())
        return TokenRevokePayload(revoked=True)

    @strawberry.mutation(
        description="Admin, or the store's manager for a clerk: the account is deactivated and "
        "every token it holds stops working."
    )
    async def staff_remove(self, info: Info, id: strawberry.ID) -> StaffPayload:
        actor = info.context.require(Role.ADMIN, Role.MANAGER)
        staff, errors = await attempt(
            lambda: staff_access.remove_staff(actor, decode_id(id, "Staff"))
        )
        if staff is not None:
            services = info.context.services
            await sessions.revoke_all(
                services.redis,
                services.bus,
                Principal(Role(staff.role.value), staff.id, staff.store_id),
                time.time(),
                services.tokens.ttl_seconds,
            )
        return StaffPayload(staff=Staff.of(staff) if staff else None, errors=errors)

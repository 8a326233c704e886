"""Signing in and out."""

from __future__ import annotations

import time

import strawberry

from domain.access import accounts, sessions
from domain.errors import ErrorCode
from schema.core.context import Info
from schema.core.enums import SignInRole
from schema.core.errors import UserError
from schema.core.permissions import IsSignedIn
from schema.guards.rate_limits import guard_sign_in, record_sign_in
from schema.people.payloads import TokenCreatePayload, TokenRevokePayload
from schema.people.queries import viewer_of

WRONG_LOGIN = "The phone number or the password is wrong."


@strawberry.type
class SessionMutation:
    @strawberry.mutation(
        description="Sign in to one account of the phone: the member's unless `role` names "
        "the staff, admin or distributor account (a phone may hold one of each, each with its "
        "password)."
    )
    async def token_create(
        self, info: Info, phone: str, password: str, role: SignInRole = SignInRole.MEMBER
    ) -> TokenCreatePayload:
        await guard_sign_in(info, phone, role)
        principal = await accounts.authenticate(phone, password, role)
        viewer = await viewer_of(principal) if principal else None
        await record_sign_in(info, phone, role, succeeded=viewer is not None)
        if principal is None or viewer is None:
            return TokenCreatePayload(
                errors=[UserError(code=ErrorCode.INVALID, message=WRONG_LOGIN)]
            )
        return TokenCreatePayload(
            token=info.context.services.tokens.issue(principal), viewer=viewer
        )

    @strawberry.mutation(
        permission_classes=[IsSignedIn],
        description="Sign out: the token this request carries stops working.",
    )
    async def token_revoke(self, info: Info) -> TokenRevokePayload:
        session = info.context.session
        if session is None:
            return TokenRevokePayload(revoked=False)
        services = info.context.services
        await sessions.revoke(services.redis, services.bus, session, time.time())
        return TokenRevokePayload(revoked=True)

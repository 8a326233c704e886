"""People payloads: the object, or the expected failures in errors."""

from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.people.types import Member, Staff, Viewer


@strawberry.type
class TokenCreatePayload:
    token: str | None = None
    viewer: Viewer | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StaffPayload:
    staff: Staff | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MemberPayload:
    member: Member | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TokenRevokePayload:
    revoked: bool

"""Mutation payloads: the object, or the expected failures in ``errors``."""

from __future__ import annotations

import strawberry

from schema.errors import UserError
from schema.types import Member, Product, Reward, Staff, Store, Viewer


@strawberry.type
class TokenCreatePayload:
    token: str | None = None
    viewer: Viewer | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StorePayload:
    store: Store | None = None
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
class ProductPayload:
    product: Product | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RewardPayload:
    reward: Reward | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

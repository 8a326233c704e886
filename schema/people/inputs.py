"""What a staff member or a member is registered from."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.principal import Role


@strawberry.input
class StaffCreateInput:
    store_id: strawberry.ID
    phone: str
    password: str
    name: str
    role: Role


@strawberry.input
class BabyInput:
    name: str
    birthday: date


@strawberry.input
class MemberRegisterInput:
    phone: str
    password: str
    name: str
    store_code: str | None = strawberry.field(
        default=None,
        description="The store that signed the member up; it becomes the home store.",
    )
    birthday: date | None = None
    activity_id: strawberry.ID | None = strawberry.field(
        default=None, description="The activity the member signed up at (their source)."
    )
    babies: list[BabyInput] | None = strawberry.field(
        default=None,
        description="Each born neither in the future nor more than 18 years ago (INVALID).",
    )

"""Registering members and staff; taking staff off a store (their tokens stop at once)."""

from __future__ import annotations

import time

import strawberry

from domain.access import accounts, sessions
from domain.crm.tasks import BabyIn
from domain.people import members
from domain.people import staff as staff_access
from domain.principal import Principal, Role
from schema.core.context import Info
from schema.core.errors import attempt
from schema.core.permissions import IsManagerOrAdmin
from schema.core.relay import decode_id
from schema.people.inputs import MemberRegisterInput, StaffCreateInput
from schema.people.payloads import MemberPayload, StaffPayload
from schema.people.types import Member, Staff


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(
        description=(
            "Anyone may register as a member; a staff token registers the member for the "
            "staff's store."
        )
    )
    async def member_register(self, info: Info, input: MemberRegisterInput) -> MemberPayload:
        member, errors = await attempt(
            lambda: members.register_member(
                info.context.viewer(),
                phone=input.phone,
                password=input.password,
                name=input.name,
                store_code=input.store_code,
                birthday=input.birthday,
                babies=[BabyIn(b.name, b.birthday) for b in input.babies or []],
                today=info.context.services.today(),
                activity_id=(
                    decode_id(input.activity_id, "Activity", "activityId")
                    if input.activity_id
                    else None
                ),
            )
        )
        return MemberPayload(member=Member.of(member) if member else None, errors=errors)

    @strawberry.mutation(permission_classes=[IsManagerOrAdmin])
    async def staff_create(self, info: Info, input: StaffCreateInput) -> StaffPayload:
        actor = info.context.actor
        staff, errors = await attempt(
            lambda: accounts.create_staff(
                actor,
                store_id=decode_id(input.store_id, "Store", "storeId"),
                phone=input.phone,
                password=input.password,
                name=input.name,
                role=input.role,
            )
        )
        return StaffPayload(staff=Staff.of(staff) if staff else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsManagerOrAdmin],
        description="Admin, or the store's manager for a clerk: the account is deactivated and "
        "every token it holds stops working.",
    )
    async def staff_remove(self, info: Info, id: strawberry.ID) -> StaffPayload:
        actor = info.context.actor
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

"""The viewer, members (one, a search, by phone at the counter)."""

from __future__ import annotations

import strawberry

from domain.access.visibility import visible_members
from domain.crm.channel.models import Distributor as DistributorModel
from domain.errors import Invalid
from domain.people.members import member_by_phone, search_members
from domain.people.models import Member as MemberModel
from domain.people.models import Staff as StaffModel
from domain.principal import Principal
from domain.stores.models import Store as StoreModel
from schema.core.context import Info
from schema.core.errors import bad_input
from schema.core.permissions import IsStaffOrAdmin
from schema.core.relay import (
    Connection,
    lookup,
    paginate,
)
from schema.people.types import Member, Staff, Viewer
from schema.stores.types import Store


async def viewer_of(principal: Principal) -> Viewer | None:
    """The Viewer for a principal, or None when its account no longer exists."""
    viewer = Viewer(role=principal.role, member=None, staff=None, store=None)
    if principal.is_member:
        member = await MemberModel.get_or_none(id=principal.user_id)
        if member is None:
            return None
        viewer.member = Member.of(member)
    elif principal.is_staff:
        staff = await StaffModel.get_or_none(id=principal.user_id, active=True)
        if staff is None:
            return None
        viewer.staff = Staff.of(staff)
        viewer.store = Store.of(await StoreModel.get(id=staff.store_id))
    elif principal.is_distributor:
        if not await DistributorModel.exists(id=principal.user_id):
            return None
        viewer.distributor_pk = principal.user_id
    return viewer


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="Who the token belongs to; null without a token.")
    async def viewer(self, info: Info) -> Viewer | None:
        principal = info.context.viewer()
        return await viewer_of(principal) if principal else None

    @strawberry.field
    async def member(self, info: Info, id: strawberry.ID) -> Member | None:
        actor = info.context.viewer()
        return await lookup(id, "Member", visible_members(actor) if actor else None, Member.of)

    @strawberry.field(
        permission_classes=[IsStaffOrAdmin],
        description="Admin: every member; staff: their store's. By phone or name.",
    )
    async def members(
        self,
        info: Info,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Member]:
        actor = info.context.actor
        try:
            query = search_members(actor, search)
        except Invalid as exc:
            raise bad_input(exc.message) from None
        return await paginate(query, first, after, Member.of)

    @strawberry.field(
        permission_classes=[IsStaffOrAdmin],
        description="Staff and admins: the member with this phone (any home store), or null.",
    )
    async def member_by_phone(self, info: Info, phone: str) -> Member | None:
        member = await member_by_phone(phone)
        return Member.of(member) if member else None

"""Staff, members and the viewer (who a token belongs to)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.access.visibility import (
    visible_orders,
    visible_points,
    visible_tier_changes,
    visible_vouchers,
)
from domain.crm.models import Baby as BabyModel
from domain.crm.visibility import visible_babies
from domain.enums import (
    MemberSource,
    MemberTier,
    VoucherStatus,
)
from domain.loyalty.models import PointsEntry as PointsEntryModel
from domain.orders.models import Order as OrderModel
from domain.people.models import Member as MemberModel
from domain.people.models import Staff as StaffModel
from domain.principal import Principal, Role
from schema.core.context import Info
from schema.core.relay import Connection, Node, paginate, to_global_id
from schema.stores.types import Store, load_store

if TYPE_CHECKING:
    from schema.crm.channel.types import Distributor
    from schema.loyalty.types import PointsEntry, TierChange, Voucher
    from schema.orders.types import Order

# A member's histories belong to other areas, which refer to Member themselves: lazily here.
LazyPointsEntry = Annotated["PointsEntry", strawberry.lazy("schema.loyalty.types")]
LazyVoucher = Annotated["Voucher", strawberry.lazy("schema.loyalty.types")]
LazyTierChange = Annotated["TierChange", strawberry.lazy("schema.loyalty.types")]
LazyOrder = Annotated["Order", strawberry.lazy("schema.orders.types")]
LazyDistributor = Annotated["Distributor", strawberry.lazy("schema.crm.channel.types")]


@strawberry.type
class Staff(Node):
    pk: strawberry.Private[int]
    store_pk: strawberry.Private[int]
    name: str
    phone: str
    role: Role

    @classmethod
    def of(cls, m: StaffModel) -> Staff:
        return cls(
            id=to_global_id("Staff", m.id),
            pk=m.id,
            store_pk=m.store_id,
            name=m.name,
            phone=m.phone,
            role=Role(m.role.value),
        )

    @strawberry.field
    async def store(self, info: Info) -> Store | None:
        return await load_store(info, self.store_pk)


@strawberry.type
class Baby:
    name: str
    birthday: date

    @classmethod
    def of(cls, m: BabyModel) -> Baby:
        return cls(name=m.name, birthday=m.birthday)


@strawberry.type
class Member(Node):
    pk: strawberry.Private[int]
    home_store_pk: strawberry.Private[int | None]
    birthday_value: strawberry.Private[date | None]
    registered_by_pk: strawberry.Private[int | None]
    name: str
    phone: str
    tier: MemberTier
    points_balance: int
    joined_at: datetime
    source: MemberSource = strawberry.field(
        description="How the member came: SELF, STORE_CODE, CLERK, PROSPECT_LIST or ACTIVITY."
    )

    @classmethod
    def of(cls, m: MemberModel) -> Member:
        return cls(
            id=to_global_id("Member", m.id),
            pk=m.id,
            home_store_pk=m.home_store_id,
            birthday_value=m.birthday,
            registered_by_pk=m.registered_by_id,
            name=m.name,
            phone=m.phone,
            tier=m.tier,
            points_balance=m.points_balance,
            joined_at=m.joined_at,
            source=m.source,
        )

    @strawberry.field
    async def home_store(self, info: Info) -> Store | None:
        return await load_store(info, self.home_store_pk)

    def _history_reader(self, actor: Principal | None) -> bool:
        """The member, their home store's staff, admins: who may read what the member told
        the store about their family (other stores' counters find the member by phone)."""
        if actor is None:
            return False
        if actor.is_admin:
            return True
        if actor.is_staff:
            return self.home_store_pk is not None and actor.store_id == self.home_store_pk
        return actor.is_member and actor.user_id == self.pk

    @strawberry.field(description="The member, their home store's staff and admins read it.")
    def birthday(self, info: Info) -> date | None:
        if not self._history_reader(info.context.viewer()):
            return None
        return self.birthday_value

    @strawberry.field(description="Oldest first; for the member, their home store and admins.")
    async def babies(self, info: Info) -> list[Baby]:
        actor = info.context.viewer()
        if actor is None:
            return []
        rows = await visible_babies(actor).filter(member_id=self.pk).order_by("id")
        return [Baby.of(b) for b in rows]

    @strawberry.field(
        description=(
            "The staff member who signed the member up, if one did: for their home store's "
            "staff and admins."
        )
    )
    async def registered_by(self, info: Info) -> Staff | None:
        actor = info.context.viewer()
        if self.registered_by_pk is None or actor is None or actor.is_member:
            return None
        if not self._history_reader(actor):
            return None
        model = await StaffModel.get_or_none(id=self.registered_by_pk)
        return Staff.of(model) if model else None

    # A Member reaches callers beyond those who may read its history: staff of any store
    # (memberByPhone, the counter's payloads, an order they deliver). Its lists show each
    # caller what ``domain.visibility`` lets them see; without a token (memberRegister,
    # tokenCreate) they are empty.
    @strawberry.field(description="Newest first.")
    async def points_history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[LazyPointsEntry]:
        from schema.loyalty.types import PointsEntry

        actor = info.context.viewer()
        scope = visible_points(actor) if actor else PointsEntryModel.filter(id=-1)
        query = scope.filter(member_id=self.pk)
        return await paginate(query, first, after, PointsEntry.of, descending=True)

    @strawberry.field(description="Newest first; all of them, or those with this status.")
    async def vouchers(self, info: Info, status: VoucherStatus | None = None) -> list[LazyVoucher]:
        from schema.loyalty.types import Voucher

        actor = info.context.viewer()
        if actor is None:
            return []
        query = visible_vouchers(actor).filter(member_id=self.pk)
        if status is not None:
            query = query.filter(status=status)
        return [Voucher.of(v) for v in await query.order_by("-id")]

    @strawberry.field(description="Every change of tier, oldest first.")
    async def tier_history(self, info: Info) -> list[LazyTierChange]:
        from schema.loyalty.types import TierChange

        actor = info.context.viewer()
        if actor is None:
            return []
        rows = await visible_tier_changes(actor).filter(member_id=self.pk).order_by("id")
        return [TierChange.of(r) for r in rows]

    @strawberry.field(description="Newest first.")
    async def orders(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[LazyOrder]:
        from schema.orders.types import Order

        actor = info.context.viewer()
        scope = visible_orders(actor) if actor else OrderModel.filter(id=-1)
        query = scope.filter(member_id=self.pk)
        return await paginate(query, first, after, Order.of, descending=True)


@strawberry.type
class Viewer:
    role: Role
    member: Member | None
    staff: Staff | None
    store: Store | None
    distributor_pk: strawberry.Private[int | None] = None

    @strawberry.field(description="A distributor's sign-in: the distributor.")
    async def distributor(self) -> LazyDistributor | None:
        from schema.crm.channel.types import load_distributor

        return await load_distributor(self.distributor_pk)

"""Root query fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from tortoise.queryset import QuerySet

from domain.access.visibility import (
    visible_members,
    visible_offers,
    visible_orders,
    visible_points,
    visible_staff,
    visible_vouchers,
)
from domain.enums import OrderStatus
from domain.errors import Invalid
from domain.loyalty.models import Activity as ActivityModel
from domain.loyalty.models import Campaign as CampaignModel
from domain.paging import offset_page
from domain.people.members import search_members
from domain.people.models import Member as MemberModel
from domain.people.models import Staff as StaffModel
from domain.principal import Principal, Role
from domain.stores import catalog
from domain.stores import network as stores
from domain.stores.models import Product as ProductModel
from domain.stores.models import Reward as RewardModel
from domain.stores.models import Store as StoreModel
from schema.context import Info
from schema.errors import bad_input
from schema.inputs import GeoPointInput
from schema.loyalty import Activity, Campaign
from schema.relay import (
    Connection,
    Node,
    after_offset,
    decode_id,
    from_global_id,
    offset_connection,
    paginate,
)
from schema.types import (
    Member,
    Order,
    OrderOffer,
    PointsEntry,
    Product,
    Reward,
    Staff,
    Store,
    Viewer,
    Voucher,
)


def _public(model: Any) -> Callable[[Principal | None], QuerySet[Any]]:
    return lambda _actor: model.filter(active=True)


def _private(scope: Callable[[Principal], QuerySet[Any]]) -> Callable[[Principal | None], Any]:
    return lambda actor: scope(actor) if actor is not None else None


# type name -> (the rows the caller may see, the GraphQL type)
NODES: dict[str, tuple[Callable[[Principal | None], QuerySet[Any] | None], Any]] = {
    "Store": (_public(StoreModel), Store),
    "Product": (_public(ProductModel), Product),
    "Reward": (_public(RewardModel), Reward),
    "Member": (_private(visible_members), Member),
    "Staff": (_private(visible_staff), Staff),
    "Order": (_private(visible_orders), Order),
    "OrderOffer": (_private(visible_offers), OrderOffer),
    "PointsEntry": (_private(visible_points), PointsEntry),
    "Voucher": (_private(visible_vouchers), Voucher),
    "Campaign": (lambda _actor: CampaignModel.all(), Campaign),
    "Activity": (lambda _actor: ActivityModel.all(), Activity),
}


async def _node(info: Info, global_id: str, expected: str | None = None) -> Any:
    parsed = from_global_id(global_id)
    if parsed is None or parsed[0] not in NODES or (expected and parsed[0] != expected):
        return None
    scope, graphql_type = NODES[parsed[0]]
    rows = scope(info.context.viewer())
    if rows is None:
        return None
    model = await rows.get_or_none(id=parsed[1])
    return graphql_type.of(model) if model else None


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
    return viewer


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _node(info, id)

    @strawberry.field(description="Who the token belongs to; null without a token.")
    async def viewer(self, info: Info) -> Viewer | None:
        principal = info.context.viewer()
        return await viewer_of(principal) if principal else None

    @strawberry.field(description="Stores, nearest first when `near` is given.")
    async def stores(
        self,
        info: Info,
        near: GeoPointInput | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Store]:
        if near is None:
            return await paginate(StoreModel.filter(active=True), first, after, Store.of)
        try:
            start = after_offset(after)
            ranked = await stores.stores_by_distance(
                info.context.services.store_index, near.latitude, near.longitude
            )
            page = offset_page([s for s, _ in ranked], first=first, offset=start)
        except Invalid as exc:
            raise bad_input(exc.message) from None
        return offset_connection(page, start, [Store.of(s) for s in page.items])

    @strawberry.field
    async def products(self) -> list[Product]:
        return [Product.of(p) for p in await catalog.active_products()]

    @strawberry.field
    async def rewards(self) -> list[Reward]:
        return [Reward.of(r) for r in await catalog.active_rewards()]

    @strawberry.field
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        return await _node(info, id, "Order")

    @strawberry.field(description="A member's own orders; staff: their store's; admin: all.")
    async def orders(
        self,
        info: Info,
        status: OrderStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Order]:
        query = visible_orders(info.context.require())
        if status is not None:
            query = query.filter(status=status)
        return await paginate(query, first, after, Order.of, descending=True)

    @strawberry.field
    async def member(self, info: Info, id: strawberry.ID) -> Member | None:
        return await _node(info, id, "Member")

    @strawberry.field(description="Admin: every member; staff: their store's. By phone or name.")
    async def members(
        self,
        info: Info,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Member]:
        actor = info.context.require(Role.ADMIN, Role.MANAGER, Role.CLERK)
        try:
            query = search_members(actor, search)
        except Invalid as exc:
            raise bad_input(exc.message) from None
        return await paginate(query, first, after, Member.of)


__all__ = ["Query", "decode_id", "viewer_of"]

"""The object types of the API; each is built from a domain model with ``of``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.accounts import AccountKind
from domain.models import Member as MemberModel
from domain.models import Order as OrderModel
from domain.models import OrderItem as OrderItemModel
from domain.models import OrderOffer as OrderOfferModel
from domain.models import PointsEntry as PointsEntryModel
from domain.models import Product as ProductModel
from domain.models import Reward as RewardModel
from domain.models import Staff as StaffModel
from domain.models import Store as StoreModel
from domain.models import TierChange as TierChangeModel
from domain.models import Voucher as VoucherModel
from domain.models.enums import (
    Channel,
    MemberSource,
    MemberTier,
    OfferStatus,
    OrderStatus,
    PointsEntryKind,
    VoucherStatus,
)
from domain.principal import Role
from domain.visibility import (
    offer_visible,
    visible_orders,
    visible_points,
    visible_tier_changes,
    visible_vouchers,
)
from schema.context import Info
from schema.relay import Connection, Node, paginate, to_global_id

for _enum in (
    Role,
    MemberTier,
    MemberSource,
    OrderStatus,
    OfferStatus,
    PointsEntryKind,
    Channel,
    VoucherStatus,
):
    strawberry.enum(_enum)
strawberry.enum(
    AccountKind,
    name="SignInRole",
    description="Which of a phone's accounts tokenCreate opens.",
)


@strawberry.type
class GeoPoint:
    latitude: float
    longitude: float


@strawberry.type
class Store(Node):
    pk: strawberry.Private[int]
    code: str
    name: str
    address: str
    location: GeoPoint
    service_radius_km: float
    accepting_orders: bool

    @classmethod
    def of(cls, m: StoreModel) -> Store:
        return cls(
            id=to_global_id("Store", m.id),
            pk=m.id,
            code=m.code,
            name=m.name,
            address=m.address,
            location=GeoPoint(latitude=m.latitude, longitude=m.longitude),
            service_radius_km=m.service_radius_km,
            accepting_orders=m.accepting_orders,
        )


async def load_store(info: Info, store_id: int | None) -> Store | None:
    if store_id is None:
        return None
    model = await info.context.loaders.store.load(store_id)
    return Store.of(model) if model else None


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
class Product(Node):
    pk: strawberry.Private[int]
    sku: str
    name: str
    price: Decimal
    is_member_pack: bool
    points_per_yuan: Decimal
    days_per_unit: int | None

    @classmethod
    def of(cls, m: ProductModel) -> Product:
        return cls(
            id=to_global_id("Product", m.id),
            pk=m.id,
            sku=m.sku,
            name=m.name,
            price=m.price,
            is_member_pack=m.is_member_pack,
            points_per_yuan=m.points_per_yuan,
            days_per_unit=m.days_per_unit,
        )


@strawberry.type
class Reward(Node):
    pk: strawberry.Private[int]
    name: str
    points_cost: int

    @classmethod
    def of(cls, m: RewardModel) -> Reward:
        return cls(id=to_global_id("Reward", m.id), pk=m.id, name=m.name, points_cost=m.points_cost)


@strawberry.type
class PointsEntry(Node):
    pk: strawberry.Private[int]
    store_pk: strawberry.Private[int | None]
    reward_pk: strawberry.Private[int | None]
    delta: int
    balance_after: int
    kind: PointsEntryKind
    note: str | None
    channel: Channel | None
    created_at: datetime

    @classmethod
    def of(cls, m: PointsEntryModel) -> PointsEntry:
        return cls(
            id=to_global_id("PointsEntry", m.id),
            pk=m.id,
            store_pk=m.store_id,
            reward_pk=m.reward_id,
            delta=m.delta,
            balance_after=m.balance_after,
            kind=m.kind,
            note=m.note,
            channel=m.channel,
            created_at=m.created_at,
        )

    @strawberry.field
    async def store(self, info: Info) -> Store | None:
        return await load_store(info, self.store_pk)

    @strawberry.field(description="The reward a REDEMPTION paid for.")
    async def reward(self, info: Info) -> Reward | None:
        if self.reward_pk is None:
            return None
        model = await info.context.loaders.reward.load(self.reward_pk)
        return Reward.of(model) if model else None


@strawberry.type
class Voucher(Node):
    """A free member pack, issued for every 6th member-pack unit bought."""

    pk: strawberry.Private[int]
    product_pk: strawberry.Private[int | None]
    store_pk: strawberry.Private[int | None]
    status: VoucherStatus
    issued_at: datetime
    redeemed_at: datetime | None

    @classmethod
    def of(cls, m: VoucherModel) -> Voucher:
        return cls(
            id=to_global_id("Voucher", m.id),
            pk=m.id,
            product_pk=m.product_id,
            store_pk=m.redeemed_store_id,
            status=m.status,
            issued_at=m.issued_at,
            redeemed_at=m.redeemed_at,
        )

    @strawberry.field(description="The store that handed the pack over.")
    async def redeemed_store(self, info: Info) -> Store | None:
        return await load_store(info, self.store_pk)

    @strawberry.field(description="The free pack.")
    async def product(self, info: Info) -> Product | None:
        if self.product_pk is None:
            return None
        model = await info.context.loaders.product.load(self.product_pk)
        return Product.of(model) if model else None


@strawberry.type
class TierChange:
    previous: MemberTier
    tier: MemberTier
    reason: str
    changed_at: datetime

    @classmethod
    def of(cls, m: TierChangeModel) -> TierChange:
        return cls(previous=m.previous, tier=m.tier, reason=m.reason, changed_at=m.changed_at)


@strawberry.type
class Member(Node):
    pk: strawberry.Private[int]
    home_store_pk: strawberry.Private[int | None]
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

    # A Member reaches callers beyond those who may read its history: staff of any store
    # (memberByPhone, the counter's payloads, an order they deliver). Its lists show each
    # caller what ``domain.visibility`` lets them see; without a token (memberRegister,
    # tokenCreate) they are empty.
    @strawberry.field(description="Newest first.")
    async def points_history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[PointsEntry]:
        actor = info.context.viewer()
        scope = visible_points(actor) if actor else PointsEntryModel.filter(id=-1)
        query = scope.filter(member_id=self.pk)
        return await paginate(query, first, after, PointsEntry.of, descending=True)

    @strawberry.field(description="Newest first; all of them, or those with this status.")
    async def vouchers(self, info: Info, status: VoucherStatus | None = None) -> list[Voucher]:
        actor = info.context.viewer()
        if actor is None:
            return []
        query = visible_vouchers(actor).filter(member_id=self.pk)
        if status is not None:
            query = query.filter(status=status)
        return [Voucher.of(v) for v in await query.order_by("-id")]

    @strawberry.field(description="Every change of tier, oldest first.")
    async def tier_history(self, info: Info) -> list[TierChange]:
        actor = info.context.viewer()
        if actor is None:
            return []
        rows = await visible_tier_changes(actor).filter(member_id=self.pk).order_by("id")
        return [TierChange.of(r) for r in rows]

    @strawberry.field(description="Newest first.")
    async def orders(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Order]:
        actor = info.context.viewer()
        scope = visible_orders(actor) if actor else OrderModel.filter(id=-1)
        query = scope.filter(member_id=self.pk)
        return await paginate(query, first, after, Order.of, descending=True)


@strawberry.type
class OrderItem:
    product_pk: strawberry.Private[int]
    quantity: int
    unit_price: Decimal

    @classmethod
    def of(cls, m: OrderItemModel) -> OrderItem:
        return cls(product_pk=m.product_id, quantity=m.quantity, unit_price=m.unit_price)

    @strawberry.field
    async def product(self, info: Info) -> Product:
        model = await info.context.loaders.product.load(self.product_pk)
        assert model is not None  # an item's product is RESTRICT-protected
        return Product.of(model)


@strawberry.type
class OrderOffer(Node):
    pk: strawberry.Private[int]
    store_pk: strawberry.Private[int]
    status: OfferStatus
    offered_at: datetime
    expires_at: datetime
    responded_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, m: OrderOfferModel) -> OrderOffer:
        return cls(
            id=to_global_id("OrderOffer", m.id),
            pk=m.id,
            store_pk=m.store_id,
            status=m.status,
            offered_at=m.offered_at,
            expires_at=m.expires_at,
            responded_at=m.responded_at,
            reason=m.reason,
        )

    @strawberry.field
    async def store(self, info: Info) -> Store:
        store = await load_store(info, self.store_pk)
        assert store is not None  # an offer's store is RESTRICT-protected
        return store


@strawberry.type
class Order(Node):
    pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]
    store_pk: strawberry.Private[int | None]
    number: str
    status: OrderStatus
    total: Decimal
    delivery_address: str
    delivery_location: GeoPoint
    placed_at: datetime
    accepted_at: datetime | None

    @classmethod
    def of(cls, m: OrderModel) -> Order:
        return cls(
            id=to_global_id("Order", m.id),
            pk=m.id,
            member_pk=m.member_id,
            store_pk=m.store_id,
            number=m.number,
            status=m.status,
            total=m.total,
            delivery_address=m.delivery_address,
            delivery_location=GeoPoint(
                latitude=m.delivery_latitude, longitude=m.delivery_longitude
            ),
            placed_at=m.placed_at,
            accepted_at=m.accepted_at,
        )

    @strawberry.field
    async def member(self, info: Info) -> Member:
        model = await info.context.loaders.member.load(self.member_pk)
        assert model is not None  # an order's member is RESTRICT-protected
        return Member.of(model)

    @strawberry.field(
        description="The offered store while PENDING, the accepting store afterwards."
    )
    async def store(self, info: Info) -> Store | None:
        return await load_store(info, self.store_pk)

    @strawberry.field
    async def items(self, info: Info) -> list[OrderItem]:
        return [OrderItem.of(i) for i in await info.context.loaders.order_items.load(self.pk)]

    async def _visible_offers(self, info: Info) -> list[OrderOfferModel]:
        """The routing history the caller may see: staff only their own store's offers."""
        actor = info.context.viewer()
        if actor is None:
            return []
        offers = await info.context.loaders.order_offers.load(self.pk)
        return [o for o in offers if offer_visible(actor, o, self.member_pk)]

    @strawberry.field(description="The newest offer: the pending one, or the one that ended last.")
    async def current_offer(self, info: Info) -> OrderOffer | None:
        offers = await self._visible_offers(info)
        return OrderOffer.of(offers[-1]) if offers else None

    @strawberry.field(description="Routing history, oldest first.")
    async def offers(self, info: Info) -> list[OrderOffer]:
        return [OrderOffer.of(o) for o in await self._visible_offers(info)]


@strawberry.type
class Viewer:
    role: Role
    member: Member | None
    staff: Staff | None
    store: Store | None

"""Orders, their items and offers, and the events a store app is sent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry

from domain.access.visibility import (
    offer_visible,
)
from domain.enums import (
    OfferStatus,
    OrderStatus,
)
from domain.orders.models import Order as OrderModel
from domain.orders.models import OrderItem as OrderItemModel
from domain.orders.models import OrderOffer as OrderOfferModel
from schema.core.context import Info
from schema.core.relay import Node, to_global_id
from schema.people.types import Member
from schema.stores.types import GeoPoint, Product, Store, load_store


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

    @classmethod
    def as_offered(cls, m: OrderModel, store_id: int) -> Order:
        """The order as it stood while it was offered to ``store_id``: what that store's staff
        may still be shown once it has moved on, without where it went or what became of it."""
        shown = cls.of(m)
        shown.store_pk, shown.status, shown.accepted_at = store_id, OrderStatus.PENDING, None
        return shown

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


@strawberry.enum
class OfferEventKind(Enum):
    OFFERED = strawberry.enum_value(
        "OFFERED",
        description="A new offer for this store (also replayed on subscribe for offers still "
        "pending).",
    )
    WITHDRAWN = strawberry.enum_value(
        "WITHDRAWN",
        description="The offer is gone: expired, answered, cancelled by the customer, or "
        "reassigned; `offer.status` says which.",
    )


@strawberry.type
class OrderOfferEvent:
    kind: OfferEventKind
    offer: OrderOffer
    order: Order

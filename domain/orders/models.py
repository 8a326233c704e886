"""Online orders, their items and the offers that route them to stores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from domain.enums import OfferStatus, OrderStatus

if TYPE_CHECKING:
    from domain.people.models import Member
    from domain.stores.models import Product, Store


class Order(Model):
    member_id: int
    store_id: int | None
    id = fields.BigIntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="orders", on_delete=fields.RESTRICT
    )
    # The offered store while PENDING, the accepting store afterwards.
    store: fields.ForeignKeyNullableRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="orders", null=True, on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(OrderStatus, max_length=20, db_index=True)
    total = fields.DecimalField(max_digits=12, decimal_places=2)
    delivery_address = fields.CharField(max_length=255)
    delivery_latitude = fields.FloatField()
    delivery_longitude = fields.FloatField()
    idempotency_key = fields.CharField(max_length=100, null=True)
    placed_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "orders"
        unique_together = (("member", "idempotency_key"),)


class OrderItem(Model):
    order_id: int
    product_id: int
    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="items", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="order_items", on_delete=fields.RESTRICT
    )
    quantity = fields.IntField()
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        table = "order_item"


class OrderOffer(Model):
    order_id: int
    store_id: int
    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="offers", on_delete=fields.CASCADE, db_index=True
    )
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="offers", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(OfferStatus, max_length=16, default=OfferStatus.PENDING)
    offered_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    responded_at = fields.DatetimeField(null=True)
    reason = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "order_offer"
        indexes = (("store_id", "status"),)


__models__ = [Order, OrderItem, OrderOffer]

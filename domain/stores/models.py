"""The stores, and the catalogue they sell: products and rewards."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Store(Model):
    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    address = fields.CharField(max_length=255)
    latitude = fields.FloatField()
    longitude = fields.FloatField()
    service_radius_km = fields.FloatField(default=3.0)
    accepting_orders = fields.BooleanField(default=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "store"


class Product(Model):
    id = fields.BigIntField(primary_key=True)
    sku = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    price = fields.DecimalField(max_digits=12, decimal_places=2)
    is_member_pack = fields.BooleanField(default=False)
    points_per_yuan = fields.DecimalField(max_digits=6, decimal_places=2, default=1)
    # How long one unit lasts a customer, for the "stock runs out" call-back task.
    days_per_unit = fields.IntField(null=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "product"


class Reward(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    points_cost = fields.IntField()
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reward"


__models__ = [Store, Product, Reward]

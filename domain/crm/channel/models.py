"""The channel's tables: distributors and their territories, shipments, shipped units by code,
the codes scanned at counters, and the alerts the scans raised."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from domain.loyalty.models import Purchase
    from domain.stores.models import Product, Store

DEFAULT_REBATE_RATE = Decimal("0.01")


class DiversionKind(StrEnum):
    DIVERTED = "DIVERTED"
    DUPLICATE_SCAN = "DUPLICATE_SCAN"
    UNKNOWN_SERIAL = "UNKNOWN_SERIAL"


class AlertStatus(StrEnum):
    OPEN = "OPEN"
    CONFIRMED = "CONFIRMED"
    DISMISSED = "DISMISSED"


class Distributor(Model):
    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    rebate_rate = fields.DecimalField(max_digits=5, decimal_places=4, default=DEFAULT_REBATE_RATE)
    # The distributor's own sign-in (role DISTRIBUTOR); both null when it has none.
    phone = fields.CharField(max_length=20, unique=True, null=True)
    password_hash = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "distributor"


class DistributorStore(Model):
    # One store of a distributor's territory: the stores it may ship to.

    distributor_id: int
    store_id: int
    id = fields.BigIntField(primary_key=True)
    distributor: fields.ForeignKeyRelation[Distributor] = fields.ForeignKeyField(
        "models.Distributor", related_name="territory", on_delete=fields.CASCADE
    )
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="distributors", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "distributor_store"
        unique_together = (("distributor", "store"),)


class Shipment(Model):
    distributor_id: int
    store_id: int
    product_id: int
    id = fields.BigIntField(primary_key=True)
    distributor: fields.ForeignKeyRelation[Distributor] = fields.ForeignKeyField(
        "models.Distributor", related_name="shipments", on_delete=fields.RESTRICT
    )
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="shipments", on_delete=fields.RESTRICT
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="shipments", on_delete=fields.RESTRICT
    )
    units = fields.IntField()
    # The product's price when shipped: the shipped value a rebate is a share of.
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2)
    shipped_at = fields.DatetimeField(db_index=True)
    # The request's key (per distributor) and a digest of its content: a repeat changes nothing.
    idempotency_key = fields.CharField(max_length=100)
    fingerprint = fields.CharField(max_length=64)

    class Meta:
        table = "shipment"
        unique_together = (("distributor", "idempotency_key"),)


class ShippedUnit(Model):
    # One unit by its printed code. The code is the key, so each is shipped once. The
    # shipment's distributor, store and product are copied here so that the counter's scan
    # reads one row per code. sold_* are set by the first sale that scans the code, by a
    # conditional UPDATE (WHERE sold_purchase_id IS NULL): of two counters scanning it at
    # once exactly one wins.

    shipment_id: int
    code = fields.CharField(max_length=40, primary_key=True)
    shipment: fields.ForeignKeyRelation[Shipment] = fields.ForeignKeyField(
        "models.Shipment", related_name="units_shipped", on_delete=fields.CASCADE
    )
    distributor_id = fields.BigIntField()
    store_id = fields.BigIntField()
    product_id = fields.BigIntField()
    sold_purchase_id = fields.BigIntField(null=True)
    sold_store_id = fields.BigIntField(null=True)
    sold_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "shipped_unit"


class DiversionAlert(Model):
    distributor_id: int | None
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(DiversionKind, max_length=16)
    status = fields.CharEnumField(AlertStatus, max_length=16, default=AlertStatus.OPEN)
    serial = fields.CharField(max_length=40, db_index=True)
    product_id = fields.BigIntField(null=True)
    distributor: fields.ForeignKeyNullableRelation[Distributor] = fields.ForeignKeyField(
        "models.Distributor", related_name="alerts", null=True, on_delete=fields.RESTRICT
    )
    shipped_to_id = fields.BigIntField(null=True)
    sold_at_id = fields.BigIntField()
    purchase_id = fields.BigIntField()
    detected_at = fields.DatetimeField(db_index=True)
    note = fields.CharField(max_length=500, null=True)
    resolved_at = fields.DatetimeField(null=True)
    resolved_by_id = fields.BigIntField(null=True)

    class Meta:
        table = "diversion_alert"


class SerialScan(Model):
    # A code scanned in a counter sale, and what the scan found (kind null: in order).

    purchase_id: int
    id = fields.BigIntField(primary_key=True)
    purchase: fields.ForeignKeyRelation[Purchase] = fields.ForeignKeyField(
        "models.Purchase", related_name="scans", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=40)
    store_id = fields.BigIntField()
    kind = fields.CharEnumField(DiversionKind, max_length=16, null=True)
    alert_id = fields.BigIntField(null=True)
    scanned_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "serial_scan"


__models__ = [Distributor, DistributorStore, Shipment, ShippedUnit, DiversionAlert, SerialScan]

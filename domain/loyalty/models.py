"""Counter sales, points, vouchers, campaigns, activities and tiers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from domain.enums import Channel, MemberTier, PointsEntryKind, VoucherKind, VoucherStatus

if TYPE_CHECKING:
    from domain.orders.models import Order
    from domain.people.models import Member, Staff
    from domain.stores.models import Product, Reward, Store


class PointsEntry(Model):
    member_id: int
    store_id: int | None
    staff_id: int | None
    order_id: int | None
    reward_id: int | None
    purchase_id: int | None
    activity_id: int | None
    reverses_id: int | None
    # One line of the append-only ledger; a balance moves only together with one of these.
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="points_entries", on_delete=fields.RESTRICT
    )
    delta = fields.IntField()
    balance_after = fields.IntField()
    kind = fields.CharEnumField(PointsEntryKind, max_length=16)
    note = fields.CharField(max_length=255, null=True)
    store: fields.ForeignKeyNullableRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    staff: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    channel = fields.CharEnumField(Channel, max_length=8, null=True)
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    reward: fields.ForeignKeyNullableRelation[Reward] = fields.ForeignKeyField(
        "models.Reward", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    purchase: fields.ForeignKeyNullableRelation[Purchase] = fields.ForeignKeyField(
        "models.Purchase", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    activity: fields.ForeignKeyNullableRelation[Activity] = fields.ForeignKeyField(
        "models.Activity", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    # A REVERSAL names the entry it corrects; entries are never edited or deleted.
    reverses: fields.ForeignKeyNullableRelation[PointsEntry] = fields.ForeignKeyField(
        "models.PointsEntry", related_name="reversals", null=True, on_delete=fields.NO_ACTION
    )
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "points_entry"


class IdempotencyKey(Model):
    # A request key applied once: a repeat finds the first result here and writes nothing.
    id = fields.BigIntField(primary_key=True)
    scope = fields.CharField(max_length=32)
    key = fields.CharField(max_length=100)
    # A digest of the request's content: the same key with other content is a DUPLICATE.
    fingerprint = fields.CharField(max_length=64)
    result_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_key"
        unique_together = (("scope", "key"),)


class Purchase(Model):
    """One sale that earned: at a counter (with its clerk) or a delivered online order."""

    member_id: int
    store_id: int
    staff_id: int | None
    order_id: int | None
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="purchases", on_delete=fields.RESTRICT
    )
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="purchases", on_delete=fields.RESTRICT
    )
    staff: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="purchases", null=True, on_delete=fields.RESTRICT
    )
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="purchases", null=True, on_delete=fields.RESTRICT
    )
    total = fields.DecimalField(max_digits=12, decimal_places=2)
    member_pack_units = fields.IntField()
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "purchase"


class PurchaseLine(Model):
    purchase_id: int
    product_id: int
    id = fields.BigIntField(primary_key=True)
    purchase: fields.ForeignKeyRelation[Purchase] = fields.ForeignKeyField(
        "models.Purchase", related_name="lines", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="purchase_lines", on_delete=fields.RESTRICT
    )
    quantity = fields.IntField()
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2)
    points = fields.IntField()

    class Meta:
        table = "purchase_line"


class Voucher(Model):
    """A free product: a member pack ("buy six, get one"), a welcome or a birthday gift."""

    member_id: int
    product_id: int | None
    entry_id: int | None
    redeemed_store_id: int | None
    redeemed_by_id: int | None
    store_id: int | None
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="vouchers", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(VoucherKind, max_length=16, default=VoucherKind.SIX_FOR_ONE)
    # SIX_FOR_ONE: the n-th voucher of this member, unique: a member can never hold more than
    # floor(member-pack units / 6) of them, whatever races. Null for the other kinds.
    ordinal = fields.IntField(null=True)
    # Other kinds: what they are for, unique, so a gift is issued once (e.g. a birthday's year).
    occasion = fields.CharField(max_length=64, null=True, unique=True)
    # Where it can be collected; null: any store.
    store: fields.ForeignKeyNullableRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="collectable_vouchers", null=True, on_delete=fields.RESTRICT
    )
    valid_until = fields.DateField(null=True)
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="vouchers", null=True, on_delete=fields.RESTRICT
    )
    # The purchase entry that issued it.
    entry: fields.ForeignKeyNullableRelation[PointsEntry] = fields.ForeignKeyField(
        "models.PointsEntry", related_name="vouchers", null=True, on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(VoucherStatus, max_length=16, default=VoucherStatus.ISSUED)
    issued_at = fields.DatetimeField()
    redeemed_at = fields.DatetimeField(null=True)
    redeemed_store: fields.ForeignKeyNullableRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="redeemed_vouchers", null=True, on_delete=fields.RESTRICT
    )
    redeemed_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="redeemed_vouchers", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "voucher"
        unique_together = (("member", "ordinal"),)


class Campaign(Model):
    """A temporary points multiplier, optionally limited to stores or products."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    multiplier = fields.DecimalField(max_digits=6, decimal_places=2)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    # Lists of ids; null means every store / every product.
    store_ids: fields.JSONField[list[int] | None] = fields.JSONField(null=True)
    product_ids: fields.JSONField[list[int] | None] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "campaign"


class Activity(Model):
    """An event or contest: checking in grants its points once per member."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    points = fields.IntField()
    cost = fields.DecimalField(max_digits=12, decimal_places=2)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "activity"


class ActivityCheckIn(Model):
    activity_id: int
    member_id: int
    entry_id: int
    id = fields.BigIntField(primary_key=True)
    activity: fields.ForeignKeyRelation[Activity] = fields.ForeignKeyField(
        "models.Activity", related_name="check_ins", on_delete=fields.RESTRICT
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="check_ins", on_delete=fields.RESTRICT
    )
    entry: fields.ForeignKeyRelation[PointsEntry] = fields.ForeignKeyField(
        "models.PointsEntry", related_name="check_ins", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "activity_check_in"
        unique_together = (("activity", "member"),)


class TierChange(Model):
    member_id: int
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="tier_changes", on_delete=fields.RESTRICT
    )
    previous = fields.CharEnumField(MemberTier, max_length=16)
    tier = fields.CharEnumField(MemberTier, max_length=16)
    reason = fields.CharField(max_length=255)
    changed_at = fields.DatetimeField()

    class Meta:
        table = "tier_change"


__models__ = [
    PointsEntry,
    IdempotencyKey,
    Purchase,
    PurchaseLine,
    Voucher,
    Campaign,
    Activity,
    ActivityCheckIn,
    TierChange,
]

from tortoise import fields
from tortoise.models import Model

from domain.models.enums import Channel, PointsEntryKind


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
    member: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Member", related_name="points_entries", on_delete=fields.RESTRICT
    )
    delta = fields.IntField()
    balance_after = fields.IntField()
    kind = fields.CharEnumField(PointsEntryKind, max_length=16)
    note = fields.CharField(max_length=255, null=True)
    store: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Store", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    staff: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Staff", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    channel = fields.CharEnumField(Channel, max_length=8, null=True)
    order: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Order", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    reward: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Reward", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    purchase: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Purchase", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    activity: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Activity", related_name="points_entries", null=True, on_delete=fields.RESTRICT
    )
    # A REVERSAL names the entry it corrects; entries are never edited or deleted.
    reverses: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
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

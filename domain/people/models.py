"""Who uses o2o: a store's staff, the brand's admins and the members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from domain.enums import MemberSource, MemberTier, StaffRole

if TYPE_CHECKING:
    from domain.loyalty.models import Activity
    from domain.stores.models import Store


class Staff(Model):
    store_id: int
    id = fields.BigIntField(primary_key=True)
    phone = fields.CharField(max_length=20, unique=True)
    password_hash = fields.CharField(max_length=255)
    name = fields.CharField(max_length=100)
    role = fields.CharEnumField(StaffRole, max_length=16)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="staff", on_delete=fields.RESTRICT
    )
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff"


class Admin(Model):
    id = fields.BigIntField(primary_key=True)
    phone = fields.CharField(max_length=20, unique=True)
    password_hash = fields.CharField(max_length=255)
    name = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "admin"


class Member(Model):
    home_store_id: int | None
    registered_by_id: int | None
    referred_by_id: int | None
    activity_id: int | None
    id = fields.BigIntField(primary_key=True)
    phone = fields.CharField(max_length=20, unique=True)
    password_hash = fields.CharField(max_length=255)
    name = fields.CharField(max_length=100)
    birthday = fields.DateField(null=True)
    home_store: fields.ForeignKeyNullableRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="home_members", null=True, on_delete=fields.SET_NULL
    )
    registered_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="registered_members", null=True, on_delete=fields.SET_NULL
    )
    referred_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="referrals", null=True, on_delete=fields.SET_NULL
    )
    # The activity the member signed up at (source ACTIVITY).
    activity: fields.ForeignKeyNullableRelation[Activity] = fields.ForeignKeyField(
        "models.Activity", related_name="members", null=True, on_delete=fields.SET_NULL
    )
    source = fields.CharEnumField(MemberSource, max_length=16, default=MemberSource.SELF)
    tier = fields.CharEnumField(MemberTier, max_length=16, default=MemberTier.POTENTIAL)
    points_balance = fields.IntField(default=0)
    member_pack_units = fields.IntField(default=0)
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "member"
        constraints = (
            CheckConstraint(check="points_balance >= 0", name="member_points_balance_nonneg"),
        )


__models__ = [Staff, Admin, Member]

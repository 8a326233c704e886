"""The CRM's tables: call-back tasks, babies, the outbox and the ledger of generated days."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from domain.crm.callbacks import Kind as CallbackKind

if TYPE_CHECKING:
    from domain.people.models import Member, Staff
    from domain.stores.models import Store


class CallbackStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"
    CLOSED = "CLOSED"


class CallbackOutcome(StrEnum):
    REACHED = "REACHED"
    NO_ANSWER = "NO_ANSWER"
    WRONG_NUMBER = "WRONG_NUMBER"
    DECLINED = "DECLINED"


class MessageStatus(StrEnum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"


class CallbackTask(Model):
    member_id: int
    store_id: int
    done_by_id: int | None
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(CallbackKind, max_length=16)
    status = fields.CharEnumField(CallbackStatus, max_length=8, default=CallbackStatus.OPEN)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="callback_tasks", on_delete=fields.CASCADE
    )
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="callback_tasks", on_delete=fields.CASCADE
    )
    due_on = fields.DateField()
    # With member and kind, what makes it unique: a first purchase's day, a run-out day, a
    # birthday's year. Generating a day twice, or two workers at once, cannot make it twice.
    occasion = fields.CharField(max_length=64)
    reason = fields.CharField(max_length=500)
    runs_out_on = fields.DateField(null=True)
    # The last day it stays OPEN unworked (then CLOSED); null: until a purchase or a call.
    open_until = fields.DateField(null=True)
    outcome = fields.CharEnumField(CallbackOutcome, max_length=16, null=True)
    note = fields.TextField(null=True)
    done_at = fields.DatetimeField(null=True)
    done_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="callback_tasks_done", null=True, on_delete=fields.SET_NULL
    )
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "callback_task"
        unique_together = (("member", "kind", "occasion"),)
        indexes = (("store_id", "due_on"), ("status", "open_until"))


class CallbackDay(Model):
    """One row per day whose tasks were made: its unique day is what makes generation happen
    once, whatever number of workers try (the row is written in the generating transaction)."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField(unique=True)
    created = fields.IntField(default=0)
    generated_at = fields.DatetimeField()

    class Meta:
        table = "callback_day"


class Baby(Model):
    member_id: int
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="babies", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    birthday = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "baby"


class Message(Model):
    """A message to a member in the outbox, which the worker delivers at least once.

    (No semicolon in the first line: tortoise splits its DDL, comments included, on them.)
    """

    member_id: int
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="messages", on_delete=fields.CASCADE
    )
    topic = fields.CharField(max_length=32)
    body = fields.TextField()
    status = fields.CharEnumField(MessageStatus, max_length=8, default=MessageStatus.QUEUED)
    attempts = fields.IntField(default=0)
    # Unique: the same greeting is queued once (sent as the Idempotency-Key header too).
    key = fields.CharField(max_length=128, unique=True)
    # When the next delivery may be tried; a worker claiming it pushes this ahead (a lease),
    # so a worker that dies mid-delivery leaves it to be tried again, never lost.
    next_attempt_at = fields.DatetimeField()
    last_error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "message"
        indexes = (("status", "next_attempt_at"),)


__models__ = [CallbackTask, CallbackDay, Baby, Message]

"""Call-back tasks, the outbox's messages and what the calls achieve."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from domain.crm.callbacks import Kind
from domain.crm.effect import CallbackEffect as Effect
from domain.crm.models import CallbackOutcome, CallbackStatus, MessageStatus
from domain.crm.models import CallbackTask as TaskModel
from domain.crm.models import Message as MessageModel
from schema.core.context import Info
from schema.core.relay import Node, to_global_id
from schema.people.types import Member, Staff
from schema.stores.types import Store, load_store

strawberry.enum(
    Kind,
    name="CallbackKind",
    description="Why a member is to be called (see the contract's words on each).",
)
strawberry.enum(CallbackStatus)
strawberry.enum(CallbackOutcome)
strawberry.enum(MessageStatus)


async def _member(info: Info, member_id: int) -> Member:
    model = await info.context.loaders.member.load(member_id)
    assert model is not None  # CASCADE: tasks and messages go with their member
    return Member.of(model)


@strawberry.type
class CallbackTask(Node):
    pk: strawberry.Private[int]
    store_pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]
    done_by_pk: strawberry.Private[int | None]
    kind: Kind
    status: CallbackStatus
    due_on: date = strawberry.field(
        description="The morning the task is for, in the brand's time zone."
    )
    reason: str = strawberry.field(
        description="Why this member, why today: words a clerk can read before dialling."
    )
    runs_out_on: date | None = strawberry.field(
        description="RUN_OUT and LAPSED: the day the member's stock runs (ran) out."
    )
    outcome: CallbackOutcome | None
    note: str | None
    done_at: datetime | None

    @classmethod
    def of(cls, m: TaskModel) -> CallbackTask:
        return cls(
            id=to_global_id("CallbackTask", m.id),
            pk=m.id,
            store_pk=m.store_id,
            member_pk=m.member_id,
            done_by_pk=m.done_by_id,
            kind=m.kind,
            status=m.status,
            due_on=m.due_on,
            reason=m.reason,
            runs_out_on=m.runs_out_on,
            outcome=m.outcome,
            note=m.note,
            done_at=m.done_at,
        )

    @strawberry.field
    async def store(self, info: Info) -> Store:
        found = await load_store(info, self.store_pk)
        assert found is not None  # CASCADE: a task goes with its store
        return found

    @strawberry.field(description="Whom to call (the task is the store's: its staff read it).")
    async def member(self, info: Info) -> Member:
        return await _member(info, self.member_pk)

    @strawberry.field
    async def done_by(self, info: Info) -> Staff | None:
        if self.done_by_pk is None:
            return None
        model = await info.context.loaders.staff.load(self.done_by_pk)
        return Staff.of(model) if model else None


@strawberry.type
class Message(Node):
    pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]
    topic: str = strawberry.field(description="What it is for, e.g. WELCOME, BIRTHDAY, PICKUP.")
    body: str
    status: MessageStatus
    attempts: int
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, m: MessageModel) -> Message:
        return cls(
            id=to_global_id("Message", m.id),
            pk=m.id,
            member_pk=m.member_id,
            topic=m.topic,
            body=m.body,
            status=m.status,
            attempts=m.attempts,
            created_at=m.created_at,
            sent_at=m.sent_at,
        )

    @strawberry.field
    async def member(self, info: Info) -> Member:
        return await _member(info, self.member_pk)


@strawberry.type(
    description=(
        "What the calls achieve over a period: members reached who bought within 7 days of "
        "the call, beside members of tasks closed unworked who bought within 7 days of the "
        "morning the task was due."
    )
)
class CallbackEffect:
    store_pk: strawberry.Private[int | None]
    from_: date = strawberry.field(name="from")
    to: date
    tasks: int = strawberry.field(description="Tasks due in the period.")
    done: int
    reached: int
    reached_bought: int
    reached_rate: Decimal | None = strawberry.field(
        description="reachedBought / reached (4 decimals); null when none was reached."
    )
    unworked: int = strawberry.field(description="Tasks closed without a call.")
    unworked_bought: int
    unworked_rate: Decimal | None
    lift: Decimal | None = strawberry.field(
        description="reachedRate - unworkedRate: the repurchase the calls add."
    )

    @classmethod
    def of(cls, e: Effect) -> CallbackEffect:
        return cls(
            store_pk=e.store_id,
            from_=e.from_day,
            to=e.to_day,
            tasks=e.tasks,
            done=e.done,
            reached=e.reached,
            reached_bought=e.reached_bought,
            reached_rate=e.reached_rate,
            unworked=e.unworked,
            unworked_bought=e.unworked_bought,
            unworked_rate=e.unworked_rate,
            lift=e.lift,
        )

    @strawberry.field(description="Null: every store.")
    async def store(self, info: Info) -> Store | None:
        return await load_store(info, self.store_pk)

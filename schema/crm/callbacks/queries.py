"""The stores' call-back lists, the outbox, and what the calls achieve."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain.crm import effect, tasks
from domain.crm.models import CallbackStatus, MessageStatus
from domain.crm.visibility import visible_messages
from domain.errors import DomainError
from domain.paging import Page, page_size
from schema.core.context import Info
from schema.core.errors import bad_input, forbidden
from schema.core.permissions import IsAdmin, IsStaffOrAdmin
from schema.core.relay import Connection, after_offset, decode_id, offset_connection, paginate
from schema.crm.callbacks.types import CallbackEffect, CallbackTask, Message


def _refusal(exc: DomainError) -> Exception:
    return forbidden(exc.message) if exc.code == "FORBIDDEN" else bad_input(exc.message)


@strawberry.type
class CallbackQuery:
    @strawberry.field(
        permission_classes=[IsStaffOrAdmin],
        description=(
            "Staff: their store's tasks; admins: a store's (storeId) or all. Without dueOn: "
            "today's; without status: every status. Ranked: RUN_OUT soonest run-out first, "
            "then BIRTHDAY, FIRST_PURCHASE, LAPSED."
        ),
    )
    async def callback_tasks(
        self,
        info: Info,
        store_id: strawberry.ID | None = None,
        due_on: date | None = None,
        status: CallbackStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CallbackTask]:
        actor = info.context.actor
        try:
            store = decode_id(store_id, "Store", "storeId") if store_id else None
            query = tasks.task_list(
                actor,
                due_on=due_on or info.context.services.today(),
                store_id=store,
                status=status,
            )
            start = after_offset(after)
            size = page_size(first)
        except DomainError as exc:
            raise _refusal(exc) from None
        # Ranked, not by id: an offset page (a day's list of a store is tens of rows).
        rows = await query.offset(start).limit(size + 1)
        page = Page(items=rows[:size], has_next=len(rows) > size, has_previous=start > 0)
        return offset_connection(page, start, [CallbackTask.of(t) for t in page.items])

    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Admins: the outbox of messages to members. Newest first.",
    )
    async def messages(
        self,
        info: Info,
        member_id: strawberry.ID | None = None,
        status: MessageStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Message]:
        query = visible_messages(info.context.actor)
        if member_id is not None:
            try:
                query = query.filter(member_id=decode_id(member_id, "Member", "memberId"))
            except DomainError as exc:
                raise _refusal(exc) from None
        if status is not None:
            query = query.filter(status=status)
        return await paginate(query, first, after, Message.of, descending=True)

    @strawberry.field(
        permission_classes=[IsAdmin],
        description=(
            "Admins: for the tasks due from..to (inclusive) at a store (storeId) or all, the "
            "repurchase rate of members reached beside that of tasks closed unworked."
        ),
    )
    async def callback_effect(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        store_id: strawberry.ID | None = None,
    ) -> CallbackEffect:
        try:
            store = decode_id(store_id, "Store", "storeId") if store_id else None
            result = await effect.callback_effect(
                from_, to, store, info.context.services.crm.timezone
            )
        except DomainError as exc:
            raise _refusal(exc) from None
        return CallbackEffect.of(result)

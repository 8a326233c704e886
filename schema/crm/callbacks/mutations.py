"""Recording a call; making a day's tasks now."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.crm import generation, tasks
from domain.crm.models import CallbackOutcome
from schema.core.context import Info
from schema.core.errors import attempt
from schema.core.permissions import IsAdmin, IsStoreStaff
from schema.core.relay import decode_id
from schema.crm.callbacks.payloads import CallbackGeneratePayload, CallbackTaskPayload
from schema.crm.callbacks.types import CallbackTask


@strawberry.type
class CallbackMutation:
    @strawberry.mutation(
        permission_classes=[IsStoreStaff],
        description=(
            "Staff of the task's store: the call was made (the outcome, a note, who and when). "
            "Another store's task is NOT_FOUND; a task not OPEN is INVALID_TRANSITION."
        ),
    )
    async def callback_task_complete(
        self, info: Info, id: strawberry.ID, outcome: CallbackOutcome, note: str | None = None
    ) -> CallbackTaskPayload:
        actor = info.context.actor
        now = info.context.services.dispatch.now()
        task, errors = await attempt(
            lambda: tasks.complete_task(actor, decode_id(id, "CallbackTask"), outcome, note, now)
        )
        return CallbackTaskPayload(task=CallbackTask.of(task) if task else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description=(
            "Admins: make a day's tasks now (the worker makes each day's every morning). "
            "Again: none."
        ),
    )
    async def callback_tasks_generate(self, info: Info, day: date) -> CallbackGeneratePayload:
        services = info.context.services
        made, errors = await attempt(
            lambda: generation.generate_day(day, services.crm, services.dispatch.now())
        )
        return CallbackGeneratePayload(created=made.tasks if made else 0, errors=errors)

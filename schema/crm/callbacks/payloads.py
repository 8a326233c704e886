"""Call-back payloads: the object, or the expected failures."""

from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.crm.callbacks.types import CallbackTask


@strawberry.type
class CallbackTaskPayload:
    task: CallbackTask | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CallbackGeneratePayload:
    created: int = strawberry.field(
        default=0, description="Tasks this run made: 0 when the day had been made already."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)

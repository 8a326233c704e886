"""What each caller may read of the call-back tasks and the outbox: admins everything, staff
their own store's tasks, members none (a task is the store's note about them, not theirs)."""

from __future__ import annotations

from tortoise.queryset import QuerySet

from domain.crm.models import Baby, CallbackTask, Message
from domain.principal import Principal


def visible_tasks(actor: Principal) -> QuerySet[CallbackTask]:
    if actor.is_admin:
        return CallbackTask.all()
    if actor.is_staff and actor.store_id is not None:
        return CallbackTask.filter(store_id=actor.store_id)
    return CallbackTask.filter(id=-1)


def visible_messages(actor: Principal) -> QuerySet[Message]:
    """The outbox is the brand's: admins only."""
    if actor.is_admin:
        return Message.all()
    return Message.filter(id=-1)


def visible_babies(actor: Principal) -> QuerySet[Baby]:
    """As the member's own history: the member, their home store's staff, admins."""
    if actor.is_admin:
        return Baby.all()
    if actor.is_staff and actor.store_id is not None:
        return Baby.filter(member__home_store_id=actor.store_id)
    if actor.is_member:
        return Baby.filter(member_id=actor.user_id)
    return Baby.filter(id=-1)

"""Working the tasks: a clerk records a call; a purchase makes the stock tasks moot; babies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tortoise.expressions import RawSQL
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain import validation
from domain.crm.callbacks import Kind
from domain.crm.generation import check_day
from domain.crm.models import Baby, CallbackOutcome, CallbackStatus, CallbackTask
from domain.crm.visibility import visible_tasks
from domain.errors import DomainError, ErrorCode, Forbidden, Invalid, NotFound
from domain.principal import Principal

MAX_NOTE = 1000
MAX_BABY_AGE_YEARS = 18
# The order a clerk works the list in: a run-out is the sale about to be lost (soonest first),
# a birthday is today only, a first purchase has a few days, a lapsed member is already gone.
RANK = (Kind.RUN_OUT, Kind.BIRTHDAY, Kind.FIRST_PURCHASE, Kind.LAPSED)
_RANK_SQL = (
    "CASE kind "
    + " ".join(f"WHEN '{kind.value}' THEN {i}" for i, kind in enumerate(RANK))
    + f" ELSE {len(RANK)} END"
)


class TaskNotOpen(DomainError):
    def __init__(self, status: CallbackStatus) -> None:
        super().__init__(
            ErrorCode.INVALID_TRANSITION, f"The task is {status.value}, not OPEN: nothing changed."
        )


async def complete_task(
    actor: Principal,
    task_id: int,
    outcome: CallbackOutcome,
    note: str | None,
    now: datetime,
) -> CallbackTask:
    """Staff of the task's store record the call. Another store's task is NOT_FOUND (its
    existence is not given away), a task not OPEN is INVALID_TRANSITION; nothing is written
    then. A DECLINED member's other open tasks close: they asked not to be called."""
    if not actor.is_staff or actor.store_id is None:
        raise Forbidden("Only staff of the task's store record a call.")
    cleaned = validation.text(note, "note", max_length=MAX_NOTE, required=False) if note else None
    task = await CallbackTask.get_or_none(id=task_id)
    if task is None or task.store_id != actor.store_id:
        raise NotFound("No such task in your store.", "id")
    async with in_transaction():
        # Conditional: of two clerks completing at once, one wins and the other is told.
        won = await CallbackTask.filter(id=task_id, status=CallbackStatus.OPEN).update(
            status=CallbackStatus.DONE,
            outcome=outcome,
            note=cleaned,
            done_at=now,
            done_by_id=actor.user_id,
        )
        if not won:
            raise TaskNotOpen((await CallbackTask.get(id=task_id)).status)
        if outcome is CallbackOutcome.DECLINED:
            await CallbackTask.filter(member_id=task.member_id, status=CallbackStatus.OPEN).update(
                status=CallbackStatus.CLOSED, closed_at=now
            )
    return await CallbackTask.get(id=task_id)


async def close_on_purchase(member_id: int, now: datetime) -> int:
    """A purchase: the member's OPEN RUN_OUT and LAPSED tasks are moot. Call it in (or after)
    the purchase's transaction; the number closed. (To be wired to PurchaseRecorded and
    OrderDelivered.)"""
    return await CallbackTask.filter(
        member_id=member_id,
        status=CallbackStatus.OPEN,
        kind__in=[Kind.RUN_OUT, Kind.LAPSED],
    ).update(status=CallbackStatus.CLOSED, closed_at=now)


def task_list(
    actor: Principal,
    *,
    due_on: date,
    store_id: int | None = None,
    status: CallbackStatus | None = None,
) -> QuerySet[CallbackTask]:
    """A day's tasks as the caller may see them, ranked (``RANK``, then the run-out day, then
    the oldest first). Staff: their own store (another store's id is FORBIDDEN); admins: one
    store, or all."""
    check_day(due_on)
    if actor.is_staff:
        if store_id is not None and store_id != actor.store_id:
            raise Forbidden("Staff see their own store's tasks only.")
    elif not actor.is_admin:
        raise Forbidden("Only staff and admins read call-back tasks.")
    query = visible_tasks(actor).filter(due_on=due_on)
    if store_id is not None:
        query = query.filter(store_id=store_id)
    if status is not None:
        query = query.filter(status=status)
    return query.annotate(rank=RawSQL(_RANK_SQL)).order_by("rank", "runs_out_on", "id")


@dataclass(frozen=True)
class BabyIn:
    name: str
    birthday: date


def check_babies(babies: list[BabyIn], today: date) -> list[BabyIn]:
    """Each named, born neither in the future nor more than 18 years ago (INVALID)."""
    if len(babies) > 10:
        raise Invalid("At most 10 babies.", "babies")
    oldest = _years_before(today, MAX_BABY_AGE_YEARS)
    checked = []
    for i, baby in enumerate(babies):
        name = validation.text(baby.name, f"babies[{i}].name", max_length=100)
        if baby.birthday > today:
            raise Invalid("A baby's birthday cannot be in the future.", f"babies[{i}].birthday")
        if baby.birthday < oldest:
            raise Invalid(
                f"A baby's birthday is at most {MAX_BABY_AGE_YEARS} years back.",
                f"babies[{i}].birthday",
            )
        checked.append(BabyIn(name, baby.birthday))
    return checked


async def add_babies(member_id: int, babies: list[BabyIn], today: date) -> list[Baby]:
    """Record a member's babies (at registration, or later); checked first, all or none."""
    checked = check_babies(babies, today)
    if not checked:
        return []
    await Baby.bulk_create(
        [Baby(member_id=member_id, name=b.name, birthday=b.birthday) for b in checked]
    )
    return await Baby.filter(member_id=member_id).order_by("id")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)

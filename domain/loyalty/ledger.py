"""The points ledger: append-only entries, a balance that moves only with its entry.

Every change is posted inside the caller's transaction by one conditional UPDATE
(``balance = balance + d WHERE balance + d >= 0``) followed by its entry; the entry's
``balance_after`` is read back under the row lock the UPDATE holds. A correction is a new
REVERSAL entry, never an edit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from domain import validation
from domain.enums import Channel, PointsEntryKind
from domain.errors import DomainError, Duplicate, ErrorCode, Invalid, NotFound
from domain.loyalty.models import IdempotencyKey, PointsEntry
from domain.people.models import Member
from domain.principal import Principal

MAX_KEY = 100
# A member's balance and an entry's delta are int4 columns (PostgreSQL refuses more).
MAX_BALANCE = 2**31 - 1


class InsufficientPoints(DomainError):
    def __init__(self, balance: int, needed: int) -> None:
        super().__init__(
            ErrorCode.INSUFFICIENT_POINTS,
            f"The member has {balance} points; this needs {needed}.",
        )


class BalanceFull(Invalid):
    def __init__(self, balance: int, adding: int, field: str) -> None:
        super().__init__(
            f"The member has {balance} points; {adding} more would pass {MAX_BALANCE},"
            " the most a balance holds.",
            field,
        )


@dataclass(frozen=True)
class Draft:
    kind: PointsEntryKind
    delta: int
    note: str | None = None
    store_id: int | None = None
    staff_id: int | None = None
    channel: Channel | None = None
    order_id: int | None = None
    reward_id: int | None = None
    purchase_id: int | None = None
    activity_id: int | None = None
    reverses_id: int | None = None


async def lock_member(member_id: int) -> Member:
    """The member row, locked until the transaction ends (PostgreSQL; SQLite serialises
    writers anyway), so rules read a state nobody else changes meanwhile."""
    member = await Member.select_for_update().get_or_none(id=member_id)
    if member is None:
        raise NotFound("No member has this id.", "memberId")
    return member


async def post(
    member_id: int,
    draft: Draft,
    at: datetime,
    *,
    locked: Member | None = None,
    full_field: str = "memberId",
    **also: Any,
) -> PointsEntry:
    """Move the balance by ``draft.delta`` (and set ``also`` on the member in the same
    UPDATE) and append its entry; call inside a transaction. With the member ``locked`` by
    this transaction the balance after is known without reading it back.

    A balance that would pass ``MAX_BALANCE`` is ``BalanceFull`` naming ``full_field``."""
    if draft.delta > MAX_BALANCE:
        raise BalanceFull(await balance_of(member_id), draft.delta, full_field)
    bound: dict[str, int] = {"points_balance__gte": -draft.delta}
    if draft.delta > 0:
        bound = {"points_balance__lte": MAX_BALANCE - draft.delta}
    moved = await Member.filter(id=member_id, **bound).update(
        points_balance=F("points_balance") + draft.delta, **also
    )
    if not moved and draft.delta > 0:
        raise BalanceFull(await balance_of(member_id), draft.delta, full_field)
    if not moved:
        raise InsufficientPoints(await balance_of(member_id), -draft.delta)
    if locked is not None:
        balance_after = locked.points_balance + draft.delta
    else:
        balance_after = await balance_of(member_id)
    return await PointsEntry.create(
        member_id=member_id,
        delta=draft.delta,
        balance_after=balance_after,
        kind=draft.kind,
        note=draft.note,
        store_id=draft.store_id,
        staff_id=draft.staff_id,
        channel=draft.channel,
        order_id=draft.order_id,
        reward_id=draft.reward_id,
        purchase_id=draft.purchase_id,
        activity_id=draft.activity_id,
        reverses_id=draft.reverses_id,
        created_at=at,
    )


async def balance_of(member_id: int) -> int:
    member = await Member.filter(id=member_id).only("id", "points_balance").first()
    return member.points_balance if member else 0


def key_scope(operation: str, actor: Principal) -> str:
    """Keys are the caller's: a store's tills share one space, a member or admin has their own."""
    owner = (
        f"s{actor.store_id}" if actor.is_staff else f"{actor.role.value[0].lower()}{actor.user_id}"
    )
    return f"{operation}:{owner}"


def clean_key(raw: str) -> str:
    return validation.text(raw, "idempotencyKey", max_length=MAX_KEY)


def fingerprint(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Applied:
    entry: PointsEntry
    # A repeated key: this is the first result and nothing was written now.
    repeated: bool


async def once(
    scope: str, key: str, content: dict[str, Any], write: Callable[[], Awaitable[PointsEntry]]
) -> Applied:
    """Run ``write`` in one transaction with the key (the caller has checked ``repeat``).

    The key row is inserted first: a racing repeat waits on its unique index until this
    transaction ends, then finds the first result. A failure inside ``write`` rolls the key
    back with everything else, so a refused request can be sent again.
    """
    digest = fingerprint(content)
    try:
        async with in_transaction():
            record = await IdempotencyKey.create(scope=scope, key=key, fingerprint=digest)
            entry = await write()
            await IdempotencyKey.filter(id=record.id).update(result_id=entry.id)
    except IntegrityError:
        if (first := await _first(scope, key, digest)) is None:
            raise
        return Applied(first, repeated=True)
    return Applied(entry, repeated=False)


async def repeat(scope: str, key: str, content: dict[str, Any]) -> PointsEntry | None:
    """The first result of this key, None if it is new; ``Duplicate`` for other content."""
    return await _first(scope, key, fingerprint(content))


async def _first(scope: str, key: str, digest: str) -> PointsEntry | None:
    record = await IdempotencyKey.get_or_none(scope=scope, key=key)
    if record is None:
        return None
    if record.fingerprint != digest:
        raise Duplicate("This idempotency key was used for a different request.", "idempotencyKey")
    return await PointsEntry.get(id=record.result_id)

"""The order state machine: every allowed move, in one table.

    PENDING -> ACCEPTED -> OUT_FOR_DELIVERY -> DELIVERED
    PENDING -> UNASSIGNED -> PENDING
    cancel: by the member before delivery starts, by an admin at any time (after delivery it
    is a refund, and what the order earned is reversed)

Each move is one conditional UPDATE (``WHERE status IN (from...)``): its row count says whether
it happened, so two racing moves never both win.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.enums import OrderStatus as S
from domain.errors import DomainError, ErrorCode
from domain.orders.models import Order
from domain.sql import rows_by_id


class Move(StrEnum):
    ACCEPT = "ACCEPT"
    START_DELIVERY = "START_DELIVERY"
    COMPLETE = "COMPLETE"
    UNASSIGN = "UNASSIGN"
    OFFER = "OFFER"  # an UNASSIGNED (or re-assigned PENDING) order offered to a store
    OFFER_WAITING = "OFFER_WAITING"  # an UNASSIGNED order, to a store that opened or resumed
    CANCEL_BY_MEMBER = "CANCEL_BY_MEMBER"
    CANCEL_BY_ADMIN = "CANCEL_BY_ADMIN"


TRANSITIONS: dict[Move, tuple[frozenset[S], S]] = {
    Move.ACCEPT: (frozenset({S.PENDING}), S.ACCEPTED),
    Move.START_DELIVERY: (frozenset({S.ACCEPTED}), S.OUT_FOR_DELIVERY),
    Move.COMPLETE: (frozenset({S.OUT_FOR_DELIVERY}), S.DELIVERED),
    Move.UNASSIGN: (frozenset({S.PENDING}), S.UNASSIGNED),
    Move.OFFER: (frozenset({S.UNASSIGNED, S.PENDING}), S.PENDING),
    Move.OFFER_WAITING: (frozenset({S.UNASSIGNED}), S.PENDING),
    Move.CANCEL_BY_MEMBER: (frozenset({S.PENDING, S.ACCEPTED, S.UNASSIGNED}), S.CANCELLED),
    Move.CANCEL_BY_ADMIN: (
        frozenset({S.PENDING, S.ACCEPTED, S.UNASSIGNED, S.OUT_FOR_DELIVERY, S.DELIVERED}),
        S.CANCELLED,
    ),
}


class InvalidTransition(DomainError):
    def __init__(self, status: S, move: Move) -> None:
        super().__init__(
            ErrorCode.INVALID_TRANSITION,
            f"An order that is {status.value} cannot {move.value.lower().replace('_', ' ')}.",
        )


async def move(order_id: int, step: Move, **changes: Any) -> None:
    """Apply ``step`` to the order (with ``changes``), or raise ``InvalidTransition``."""
    sources, target = TRANSITIONS[step]
    updated = await Order.filter(id=order_id, status__in=list(sources)).update(
        status=target, **changes
    )
    if not updated:
        current = await Order.get(id=order_id)
        raise InvalidTransition(current.status, step)


async def move_loaded(order: Order, step: Move, **changes: Any) -> None:
    """``move`` for a loaded order, which then shows the change too (events carry it)."""
    await move(order.id, step, **changes)
    order.status = TRANSITIONS[step][1]
    for name, value in changes.items():
        setattr(order, name, value)


async def route_each(routes: list[tuple[Order, int | None]]) -> bool:
    """Inside a transaction: give each loaded order to its store (``OFFER``), or none
    (``UNASSIGN``), with one locking read and one UPDATE for all; False, changing nothing,
    when any order is not where its move starts. (PostgreSQL does this inside one statement:
    ``writing.expire_and_route``.)"""
    rows = await rows_by_id(Order, ("id", "status"), [o.id for o, _ in routes], lock=True)
    current = {int(order_id): S(status) for order_id, status in rows}
    if any(current.get(order.id) not in TRANSITIONS[step][0] for order, step in _moves(routes)):
        return False
    routed(routes)
    await Order.bulk_update([order for order, _ in routes], fields=["status", "store_id"])
    return True


def _moves(routes: list[tuple[Order, int | None]]) -> list[tuple[Order, Move]]:
    return [(order, Move.UNASSIGN if store is None else Move.OFFER) for order, store in routes]


def route_values(routes: list[tuple[Order, int | None]]) -> list[list[Any]]:
    """``route_each``'s moves as SQL arrays: order ids, new statuses, stores, and the statuses
    each move starts from (comma-separated), for a statement that checks and moves at once."""
    moves = _moves(routes)
    return [
        [order.id for order, _ in moves],
        [TRANSITIONS[step][1].value for _, step in moves],
        [store for _, store in routes],
        [",".join(sorted(s.value for s in TRANSITIONS[step][0])) for _, step in moves],
    ]


def routed(routes: list[tuple[Order, int | None]]) -> None:
    """The loaded orders show the moves ``route_values`` made (events carry them)."""
    for (order, step), (_, store) in zip(_moves(routes), routes, strict=True):
        order.status, order.store_id = TRANSITIONS[step][1], store

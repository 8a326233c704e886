"""The outbox: messages to members, delivered at least once to the brand's webhook.

A message is a row, written in the transaction that decided to send it, so none is lost: the
worker claims due rows with a conditional update that pushes ``next_attempt_at`` past a lease
(the row count says which worker won), posts each as JSON with its unique key as the
``Idempotency-Key`` header (the receiver drops a repeat), then marks it SENT, or schedules the
next attempt with exponential back-off, or after ``max_attempts`` marks it FAILED. A worker
that dies mid-delivery leaves the row QUEUED: its lease runs out and it is tried again. Without
a webhook URL nothing is delivered: messages wait, QUEUED, for an operator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from tortoise.expressions import F

from domain.crm.models import Message, MessageStatus

log = logging.getLogger("o2o.outbox")

Now = Callable[[], datetime]


@dataclass(frozen=True)
class Delivery:
    url: str
    max_attempts: int = 8
    # The first retry waits this long, each next one twice as long, up to ``max_backoff``.
    backoff_seconds: float = 30.0
    max_backoff_seconds: float = 3600.0
    # How long a claimed message is left to its worker before another may try it.
    lease_seconds: float = 120.0
    timeout_seconds: float = 10.0
    batch: int = 50


async def queue_message(member_id: int, topic: str, body: str, key: str, now: datetime) -> bool:
    """Put a message in the outbox once per ``key``; False when it was there already."""
    _, created = await Message.get_or_create(
        key=key,
        defaults={
            "member_id": member_id,
            "topic": topic,
            "body": body,
            "next_attempt_at": now,
            "created_at": now,
        },
    )
    return created


def payload(message: Message) -> dict[str, object]:
    return {
        "id": message.id,
        "key": message.key,
        "memberId": message.member_id,
        "topic": message.topic,
        "body": message.body,
        "createdAt": message.created_at.astimezone(UTC).isoformat(),
    }


async def claim(now: datetime, delivery: Delivery) -> list[Message]:
    """The due messages this worker won; their attempt is counted now."""
    due = (
        await Message.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .limit(delivery.batch)
    )
    lease = now + timedelta(seconds=delivery.lease_seconds)
    won = []
    for message in due:
        # Another worker's claim moved next_attempt_at past now: then this one updates nothing.
        if await Message.filter(
            id=message.id, status=MessageStatus.QUEUED, next_attempt_at__lte=now
        ).update(next_attempt_at=lease, attempts=F("attempts") + 1):
            message.attempts += 1
            won.append(message)
    return won


async def deliver(
    client: httpx.AsyncClient, message: Message, delivery: Delivery, now: Now
) -> MessageStatus:
    try:
        response = await client.post(
            delivery.url,
            json=payload(message),
            headers={"Idempotency-Key": message.key},
            timeout=delivery.timeout_seconds,
        )
        error = None if response.is_success else f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    at = now()
    if error is None:
        await Message.filter(id=message.id).update(
            status=MessageStatus.SENT, sent_at=at, last_error=None
        )
        return MessageStatus.SENT
    if message.attempts >= delivery.max_attempts:
        log.warning("message %s failed after %d attempts: %s", message.id, message.attempts, error)
        await Message.filter(id=message.id).update(status=MessageStatus.FAILED, last_error=error)
        return MessageStatus.FAILED
    wait = min(delivery.backoff_seconds * 2 ** (message.attempts - 1), delivery.max_backoff_seconds)
    await Message.filter(id=message.id).update(
        next_attempt_at=at + timedelta(seconds=wait), last_error=error
    )
    return MessageStatus.QUEUED


async def deliver_due(client: httpx.AsyncClient, delivery: Delivery, now: Now) -> int:
    """Deliver what is due now; how many were tried."""
    claimed = await claim(now(), delivery)
    await asyncio.gather(*(deliver(client, m, delivery, now) for m in claimed))
    return len(claimed)


async def next_due(now: datetime) -> datetime | None:
    first = (
        await Message.filter(status=MessageStatus.QUEUED)
        .order_by("next_attempt_at")
        .first()
        .values_list("next_attempt_at", flat=True)
    )
    return first  # type: ignore[return-value]


async def run_outbox(
    delivery: Delivery, stop: asyncio.Event, now: Now, max_idle: float = 5.0
) -> None:
    """Deliver until ``stop``: at once while messages are due, else until the next is due
    (at most ``max_idle``: a message queued meanwhile by another process waits that long)."""
    async with httpx.AsyncClient() as client:
        while not stop.is_set():
            delay = max_idle
            try:
                if await deliver_due(client, delivery, now):
                    continue
                upcoming = await next_due(now())
                if upcoming is not None:
                    delay = min(max((upcoming - now()).total_seconds(), 0.0), max_idle)
            except Exception:  # the database away: try again shortly
                log.exception("outbox delivery failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)

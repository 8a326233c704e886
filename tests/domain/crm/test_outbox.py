"""The outbox against a real HTTP receiver on a local socket that fails the first attempts."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta

import httpx

from domain.crm.models import Message, MessageStatus
from domain.crm.outbox import Delivery, deliver_due, queue_message, run_outbox
from tests import factories


class Receiver:
    """HTTP/1.1 on 127.0.0.1: answers 503 to the first ``failures`` requests, then 200."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[dict[str, str], dict]] = []
        self.got = asyncio.Event()
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/messages"

    async def __aenter__(self) -> Receiver:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((headers, json.loads(body)))
                ok = len(self.requests) > self.failures
                status = b"200 OK" if ok else b"503 Service Unavailable"
                writer.write(b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
                self.got.set()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def _message(key: str = "WELCOME:1") -> Message:
    member = await factories.member()
    now = datetime.now(UTC)
    assert await queue_message(member.id, "WELCOME", "欢迎加入会员", key, now)
    assert not await queue_message(member.id, "WELCOME", "again", key, now)
    return await Message.get(key=key)


async def test_retries_with_back_off_then_sent_once(db):
    message = await _message()
    clock = [datetime.now(UTC)]
    async with Receiver(failures=2) as receiver, httpx.AsyncClient() as client:
        delivery = Delivery(receiver.url, max_attempts=5, backoff_seconds=10)
        assert await deliver_due(client, delivery, lambda: clock[0]) == 1
        # Not due again before its back-off.
        clock[0] += timedelta(seconds=9)
        assert await deliver_due(client, delivery, lambda: clock[0]) == 0
        clock[0] += timedelta(seconds=1)
        assert await deliver_due(client, delivery, lambda: clock[0]) == 1
        # The second wait is twice as long.
        clock[0] += timedelta(seconds=19)
        assert await deliver_due(client, delivery, lambda: clock[0]) == 0
        clock[0] += timedelta(seconds=1)
        assert await deliver_due(client, delivery, lambda: clock[0]) == 1
        clock[0] += timedelta(days=1)
        assert await deliver_due(client, delivery, lambda: clock[0]) == 0
    sent = await Message.get(id=message.id)
    assert (sent.status, sent.attempts) == (MessageStatus.SENT, 3)
    assert {h["idempotency-key"] for h, _ in receiver.requests} == {"WELCOME:1"}
    assert receiver.requests[-1][1]["body"] == "欢迎加入会员"


async def test_failed_after_max_attempts(db):
    message = await _message()
    clock = [datetime.now(UTC)]
    async with Receiver(failures=100) as receiver, httpx.AsyncClient() as client:
        delivery = Delivery(receiver.url, max_attempts=3, backoff_seconds=1)
        for _ in range(3):
            assert await deliver_due(client, delivery, lambda: clock[0]) == 1
            clock[0] += timedelta(hours=1)
        assert await deliver_due(client, delivery, lambda: clock[0]) == 0
    failed = await Message.get(id=message.id)
    assert (failed.status, failed.attempts, failed.last_error) == (
        MessageStatus.FAILED,
        3,
        "HTTP 503",
    )


async def test_a_worker_dying_mid_delivery_loses_nothing(db):
    message = await _message()
    now = datetime.now(UTC)
    # A worker claims it, then dies before answering (nothing else happens to the row).
    from domain.crm.outbox import claim

    delivery = Delivery("http://127.0.0.1:9/unused", lease_seconds=60)
    assert [m.id for m in await claim(now, delivery)] == [message.id]
    assert await claim(now, delivery) == []  # leased: another worker leaves it
    async with Receiver(failures=0) as receiver, httpx.AsyncClient() as client:
        delivery = Delivery(receiver.url, lease_seconds=60)
        later = now + timedelta(seconds=61)
        assert await deliver_due(client, delivery, lambda: later) == 1
    assert (await Message.get(id=message.id)).status == MessageStatus.SENT


async def test_the_worker_loop_delivers_through_failures(db):
    message = await _message()
    stop = asyncio.Event()
    async with Receiver(failures=2) as receiver:
        delivery = Delivery(receiver.url, backoff_seconds=0.05, max_attempts=5)
        worker = asyncio.create_task(
            run_outbox(delivery, stop, lambda: datetime.now(UTC), max_idle=0.05)
        )
        try:
            deadline = asyncio.get_running_loop().time() + 10
            while (await Message.get(id=message.id)).status is not MessageStatus.SENT:
                assert asyncio.get_running_loop().time() < deadline, "not delivered in 10 s"
                # Woken by each request the receiver gets (or a short poll of the row).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(receiver.got.wait(), 0.2)
                receiver.got.clear()
        finally:
            stop.set()
            await worker
    assert len(receiver.requests) == 3

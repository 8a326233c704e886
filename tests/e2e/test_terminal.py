"""`o2o storeapp listen`, the terminal store app, as a real process against a real server."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from domain.seed import MEMBER_PASSWORD, STAFF_PASSWORD, member_phone
from tests.e2e.demo import order_now, place_order, token
from tests.e2e.server import O2O, ROOT, Server

CLERK_TH01 = "13800000102"
WAIT = 20.0
CANCEL = "mutation($id: ID!) { orderCancel(id: $id) { order { status } errors { code } } }"


class Terminal:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.seen: list[str] = []

    async def line_matching(self, pattern: str, timeout: float = WAIT) -> str:
        """The next output line matching ``pattern``; fails at the deadline showing the output."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                raw = await asyncio.wait_for(self.proc.stdout.readline(), left)
            except TimeoutError:
                break
            assert raw, f"the client exited; it printed: {self.seen}"
            line = raw.decode().rstrip("\n")
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} within {timeout}s: {self.seen}")


@asynccontextmanager
async def terminal(server: Server, *args: str) -> AsyncIterator[Terminal]:
    proc = await asyncio.create_subprocess_exec(
        *O2O,
        "storeapp",
        "listen",
        "--url",
        server.url,
        *args,
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield Terminal(proc)
    finally:
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()


async def test_a_wrong_password_prints_the_message_and_exits_non_zero(server):
    async with terminal(server, "--phone", CLERK_TH01, "--password", "wrong") as client:
        _out, err = await asyncio.wait_for(client.proc.communicate(), WAIT)
    assert client.proc.returncode == 1
    assert err.decode() == "o2o storeapp: wrong phone or password\n"


async def test_auto_accept_takes_each_offer_and_prints_its_deadline(server):
    login = ["--phone", CLERK_TH01, "--password", STAFF_PASSWORD, "--auto-accept"]
    async with terminal(server, *login) as client:
        await client.line_matching(r"signed in to GZ-TH01 Tianhe Sports Centre as clerk")
        await client.line_matching(r"live: waiting for offers")
        order = await place_order(server, 1)
        offer = await client.line_matching(rf"OFFER #{order['number']}")
        assert re.search(r"2 x Probiotic member pack; to Flat 1, Tianhe Rd 299", offer), offer
        assert re.search(r"deadline \d\d:\d\d:\d\d \((60:00|59:\d\d) left\)", offer), offer
        await client.line_matching(rf"ACCEPTED #{order['number']}$")
    seen = await order_now(server, order["id"])
    assert (seen["status"], seen["store"]["code"]) == ("ACCEPTED", "GZ-TH01")
    assert not any("WITHDRAWN" in line for line in client.seen), client.seen


async def test_it_reconnects_after_a_restart_replays_and_prints_withdrawals(server):
    login = ["--phone", CLERK_TH01, "--password", STAFF_PASSWORD]
    async with terminal(server, *login) as client:
        await client.line_matching(r"live: waiting for offers")
        order = await place_order(server, 1)
        await client.line_matching(rf"OFFER #{order['number']}")
        server.stop()
        await client.line_matching(r"connection lost \(.*\); reconnecting in \d+\.\d s")
        await server.start()
        await client.line_matching(r"live: waiting for offers")
        await client.line_matching(rf"OFFER #{order['number']}")  # replayed: still pending
        member = await token(server, member_phone(1), MEMBER_PASSWORD)
        cancelled = await server.graphql(CANCEL, {"id": order["id"]}, member)
        assert cancelled["data"]["orderCancel"]["errors"] == [], cancelled
        withdrawn = await client.line_matching(rf"WITHDRAWN #{order['number']}")
        assert withdrawn.endswith("cancelled by the customer or reassigned"), withdrawn

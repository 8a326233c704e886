"""``o2o storeapp listen`` and ``o2o storeapp tasks``: the store app for a terminal.

It talks to the server only as any client would: GraphQL over HTTP (the standard library's
urllib, run in a thread, so no HTTP client is needed at run time) and ``graphql-transport-ws``
over the ``websockets`` package. It imports nothing of the server's own packages.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")
STAFF_ROLES = {"CLERK", "MANAGER"}
# The server closes with 4403 when the token is refused (expired, or signed with another key).
REFUSED_CLOSE_CODES = {4401, 4403}

# The store app signs in to the phone's staff account, never to a member account on it.
LOGIN = """
mutation($phone: String!, $password: String!) {
  tokenCreate(phone: $phone, password: $password, role: STAFF) {
    token viewer { role store { code name } } errors { code message }
  }
}"""
OFFERS = """
subscription {
  orderOffers {
    kind
    offer { id status expiresAt reason }
    order { id number total deliveryAddress items { quantity product { name } } }
  }
}"""
ACCEPT = """
mutation($id: ID!) { orderAccept(id: $id) { order { id status } errors { code message } } }"""

TASKS = """
query($day: Date) {
  callbackTasks(dueOn: $day, first: 100) {
    edges { node { kind status outcome reason dueOn runsOutOn member { name phone } } }
  }
}"""

WITHDRAWN_WHY = {
    "EXPIRED": "the time to accept ran out",
    "ACCEPTED": "accepted on another device",
    "DECLINED": "declined on another device",
    "WITHDRAWN": "cancelled by the customer or reassigned",
}


class LoginRefused(Exception):
    """Wrong phone or password, or not a store account: retrying cannot help."""


class Unreachable(Exception):
    """The server did not answer (or not with GraphQL)."""


@dataclass(frozen=True)
class Endpoint:
    http: str
    ws: str

    @classmethod
    def from_url(cls, url: str) -> Endpoint:
        """``http://host:port`` (or its ``/graphql``) to both of its GraphQL addresses."""
        parts = urlsplit(url.strip())
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"--url must be http://host:port or https://host, got {url!r}")
        path = parts.path.rstrip("/")
        path = path if path.endswith("/graphql") else f"{path}/graphql"
        ws_scheme = "wss" if parts.scheme == "https" else "ws"
        return cls(
            http=urlunsplit((parts.scheme, parts.netloc, path, "", "")),
            ws=urlunsplit((ws_scheme, parts.netloc, path, "", "")),
        )


@dataclass(frozen=True)
class Session:
    token: str
    role: str
    store: str


def post_graphql(
    endpoint: Endpoint, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    """One operation over HTTP (blocking); its ``data``."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(endpoint.http, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as exc:
        raise Unreachable(f"HTTP {exc.code} from {endpoint.http}") from None
    except (OSError, ValueError) as exc:
        raise Unreachable(f"{endpoint.http}: {exc}") from None
    if answer.get("errors"):
        raise Unreachable(f"server error: {answer['errors'][0].get('message')}")
    data: dict[str, Any] = answer["data"]
    return data


async def graphql(
    endpoint: Endpoint, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    return await asyncio.to_thread(post_graphql, endpoint, query, variables, token)


async def sign_in(endpoint: Endpoint, phone: str, password: str) -> Session:
    data = await graphql(endpoint, LOGIN, {"phone": phone, "password": password})
    payload = data["tokenCreate"]
    if payload["errors"]:
        error = payload["errors"][0]
        raise LoginRefused(
            "wrong phone or password" if error["code"] == "INVALID" else error["message"]
        )
    viewer = payload["viewer"]
    if viewer["role"] not in STAFF_ROLES:
        raise LoginRefused("this account is not store staff (sign in as a clerk or manager)")
    store = viewer["store"]
    return Session(payload["token"], viewer["role"], f"{store['code']} {store['name']}")


class Backoff:
    """Exponential delays with jitter, so many terminals do not reconnect in lockstep."""

    def __init__(self, first: float = 0.5, longest: float = 10.0) -> None:
        self.first = first
        self.longest = longest
        self.attempt = 0

    def next_delay(self) -> float:
        ceiling = min(self.longest, self.first * 2**self.attempt)
        self.attempt += 1
        return float(ceiling * (0.5 + random.random() / 2))

    def reset(self) -> None:
        self.attempt = 0


def describe_deadline(expires_at: str, now: datetime) -> str:
    deadline = datetime.fromisoformat(expires_at)
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)
    left = max(0, int((deadline - now).total_seconds()))
    minutes, seconds = divmod(left, 60)
    return f"deadline {deadline.astimezone().strftime('%H:%M:%S')} ({minutes}:{seconds:02d} left)"


class Listener:
    def __init__(
        self,
        endpoint: Endpoint,
        phone: str,
        password: str,
        *,
        auto_accept: bool = False,
        out: TextIO = sys.stdout,
        backoff: Backoff | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.endpoint = endpoint
        self.phone = phone
        self.password = password
        self.auto_accept = auto_accept
        self.out = out
        self.backoff = backoff or Backoff()
        self.now = now
        self.session: Session | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.accepting: set[str] = set()  # our own accept ends the offer too: not news
        self.ids = itertools.count(1)

    def say(self, text: str) -> None:
        # The clerk reads the shop's own clock: local time, named as such.
        stamp = datetime.now().astimezone().strftime("%H:%M:%S")
        print(f"{stamp} {text}", file=self.out, flush=True)

    async def run(self) -> int:
        """Listen until interrupted; 1 when the credentials are refused."""
        while True:
            try:
                if self.session is None:
                    self.session = await sign_in(self.endpoint, self.phone, self.password)
                    self.say(f"signed in to {self.session.store} as {self.session.role.lower()}")
                await self.listen_once(self.session)
            except LoginRefused as exc:
                print(f"o2o storeapp: {exc}", file=sys.stderr, flush=True)
                return 1
            except (Unreachable, OSError, InvalidHandshake, ConnectionClosed) as exc:
                if _refused(exc):
                    self.say("the server refused the token; signing in again")
                    self.session = None
                delay = self.backoff.next_delay()
                self.say(f"connection lost ({_reason(exc)}); reconnecting in {delay:.1f} s")
                await asyncio.sleep(delay)

    async def listen_once(self, session: Session) -> None:
        """One connection: subscribe and print until it drops (raises)."""
        async with connect(self.endpoint.ws, subprotocols=[PROTOCOL], open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": _auth(session)}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if ack.get("type") != "connection_ack":
                raise Unreachable(f"no connection_ack: {ack}")
            subscribe = {"query": OFFERS, "variables": {}}
            await ws.send(
                json.dumps({"id": str(next(self.ids)), "type": "subscribe", "payload": subscribe})
            )
            self.backoff.reset()
            self.say("live: waiting for offers (pending ones are replayed first)")
            await self.receive(ws, session)
        raise Unreachable("the server closed the connection")

    async def receive(self, ws: ClientConnection, session: Session) -> None:
        async for raw in ws:
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif kind == "next":
                self.handle(message["payload"], session)
            elif kind in {"error", "complete"}:
                raise Unreachable(f"subscription ended: {message.get('payload')}")

    def handle(self, payload: dict[str, Any], session: Session) -> None:
        if payload.get("errors"):
            self.say(f"error: {payload['errors'][0].get('message')}")
            return
        event = payload["data"]["orderOffers"]
        offer, order = event["offer"], event["order"]
        if event["kind"] == "OFFERED":
            self.say(
                f"OFFER #{order['number']}: {_lines(order)}; to {order['deliveryAddress']}; "
                f"¥{order['total']}; {describe_deadline(offer['expiresAt'], self.now())}"
            )
            if self.auto_accept:
                task = asyncio.create_task(self.accept(order, session))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        elif not (offer["status"] == "ACCEPTED" and order["id"] in self.accepting):
            why = WITHDRAWN_WHY.get(offer["status"], offer["status"].lower())
            self.say(f"WITHDRAWN #{order['number']}: {why}")

    async def accept(self, order: dict[str, Any], session: Session) -> None:
        self.accepting.add(order["id"])
        try:
            data = await graphql(self.endpoint, ACCEPT, {"id": order["id"]}, session.token)
        except Unreachable as exc:
            self.say(f"accept #{order['number']} failed: {exc}")
            return
        errors = data["orderAccept"]["errors"]
        if errors:
            self.say(f"accept #{order['number']} refused: {errors[0]['message']}")
        else:
            self.say(f"ACCEPTED #{order['number']}")


def _auth(session: Session) -> dict[str, str]:
    return {"Authorization": f"Bearer {session.token}"}


def _lines(order: dict[str, Any]) -> str:
    return ", ".join(f"{i['quantity']} x {i['product']['name']}" for i in order["items"])


def _refused(exc: Exception) -> bool:
    return (
        isinstance(exc, ConnectionClosed)
        and exc.rcvd is not None
        and (exc.rcvd.code in REFUSED_CLOSE_CODES)
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ConnectionClosed):
        return f"closed, code {exc.rcvd.code}" if exc.rcvd else "closed without a close frame"
    return str(exc) or type(exc).__name__


def listen(url: str, phone: str, password: str, *, auto_accept: bool) -> int:
    """The command's body: an exit code, never a traceback for the user."""
    try:
        endpoint = Endpoint.from_url(url)
    except ValueError as exc:
        print(f"o2o storeapp: {exc}", file=sys.stderr)
        return 2
    listener = Listener(endpoint, phone, password, auto_accept=auto_accept)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(listener.run())
    return 130


def _brand_today() -> str:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def tasks(
    url: str,
    phone: str,
    password: str,
    *,
    day: str | None = None,
    slip: bool = False,
    printer: str | None = None,
    lang: str = "zh",
    out: TextIO | None = None,
) -> int:
    """``o2o storeapp tasks``: the day's call-back list (the brand's today without ``day``),
    as the server ranks it; ``slip``: the morning slip at 32 columns; ``printer``: the slip
    sent to an ESC/POS printer (a device file, or host:port). An exit code, no traceback."""
    from storeapp import slip as slips

    out = out or sys.stdout
    try:
        endpoint = Endpoint.from_url(url)
        session = asyncio.run(sign_in(endpoint, phone, password))
        data = post_graphql(endpoint, TASKS, {"day": day}, session.token)
    except ValueError as exc:
        print(f"o2o storeapp: {exc}", file=sys.stderr)
        return 2
    except LoginRefused as exc:
        print(f"o2o storeapp: {exc}", file=sys.stderr)
        return 1
    except Unreachable as exc:
        print(f"o2o storeapp: {exc}", file=sys.stderr)
        return 1
    listed = [e["node"] for e in data["callbackTasks"]["edges"]]
    # The day the server listed (its brand's today without --day).
    shown_day = day or (listed[0]["dueOn"] if listed else _brand_today())
    if not (slip or printer):
        for rank, task in enumerate(listed, 1):
            member = task["member"]
            print(
                f"{rank:>2}. {task['kind']:<14} {task['status']:<6} "
                f"{member['name']}  {member['phone']}",
                file=out,
            )
            print(f"    {task['reason']}", file=out)
        if not listed:
            print("No call-back tasks for this day.", file=out)
        return 0
    lines = slips.slip_lines(listed, store=session.store, day=shown_day, lang=lang)
    if slip:
        print("\n".join(lines), file=out)
    if printer:
        try:
            slips.print_slip(slips.parse_printer(printer), lines)
        except Exception as exc:  # the device's own errors: OSError, escpos.exceptions.*
            print(f"o2o storeapp: printer {printer}: {exc}", file=sys.stderr)
            return 1
    return 0

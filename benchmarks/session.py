"""One benchmark's set-up: a fresh world, a started server, signed-in clerks and members,
and (optionally) every clerk's store app subscribed to its offers."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from benchmarks import world
from benchmarks.client import Api, global_id
from benchmarks.feed import OfferEvent, OfferFeed, wait_until
from benchmarks.report import Report, progress
from benchmarks.services import Server, running_server
from benchmarks.stats import fmt


@dataclass
class Session:
    server: Server
    world: world.World
    api: Api
    feed: OfferFeed
    clerk_tokens: list[str]
    member_tokens: list[str]

    @property
    def product(self) -> str:
        return global_id("Product", self.world.product_id)

    async def place_for(self, store: int, k: int) -> str:
        """Place order ``k`` (member ``k`` round-robin) delivered next to grid store ``store``."""
        token = self.member_tokens[k % len(self.member_tokens)]
        return await self.api.place(token, self.product, self.world.grid.delivery_point(store))

    async def warm_up(self, orders: int = 20, within: float = 30) -> None:
        """A few orders end to end, so the first measured ones pay no start-up costs."""
        stores = self.world.grid.count
        placed = [await self.place_for((k * 37) % stores, k) for k in range(orders)]
        if self.feed.connections:
            await wait_until(lambda: all(o in self.feed.offered for o in placed), within)


def spread(k: int, stores: int) -> int:
    """The store order ``k`` goes to: a fixed stride through the grid (every store, evenly)."""
    stride = 7919 if stores % 7919 else 7907  # primes: coprime with any benchmark store count
    return (k * stride) % stores


def latencies_ms(
    sent: dict[str, float], offered: dict[str, list[OfferEvent]]
) -> tuple[list[float], int]:
    """(send -> first OFFERED in ms for each order that got one, how many got none)."""
    values = [(offered[o][0].at - t) * 1000 for o, t in sent.items() if o in offered]
    return values, sum(1 for o in sent if o not in offered)


@contextlib.asynccontextmanager
async def open_session(
    *,
    stores: int,
    members: int,
    idle_stores: int = 0,
    subscribe: int | None = None,
    offer_timeout: float = 3600.0,
    more: Callable[[str, world.World], Awaitable[None]] | None = None,
    sign_in_members: bool = True,
) -> AsyncIterator[Session]:
    """``subscribe``: how many clerks' apps subscribe (default: every store's, idle included);
    ``more(dsn, world)``: further rows written before the server starts."""
    started = time.monotonic()

    async def seed(dsn: str) -> world.World:
        seeded = await world.seed(dsn, stores=stores, members=members, idle_stores=idle_stores)
        if more is not None:
            await more(dsn, seeded)
        return seeded

    async with running_server(offer_timeout=offer_timeout, seed=seed) as (server, seeded):
        progress(f"server up on {server.url} ({stores + idle_stores} stores, {members} members)")
        api = Api(server.url)
        feed = OfferFeed(server.ws_url)
        try:
            clerks = await api.login_all(seeded.clerk_phones, world.PASSWORD, role="STAFF")
            members_tokens = (
                await api.login_all(seeded.member_phones, world.PASSWORD) if sign_in_members else []
            )
            progress(f"signed in {len(clerks)} clerks and {len(members_tokens)} members")
            count = len(clerks) if subscribe is None else subscribe
            if count:
                await feed.open(list(enumerate(clerks[:count])))
                progress(f"{count} store apps subscribed to orderOffers")
            waited = await server.settle()
            progress(f"server settled after {fmt(waited)} s")
            session = Session(server, seeded, api, feed, clerks, members_tokens)
            progress(f"set-up took {fmt(time.monotonic() - started)} s")
            yield session
        finally:
            await feed.close()
            await api.aclose()


def server_health(session: Session, report: Report) -> None:
    """Warnings and errors in the server's log, and errors seen by the store apps."""
    report.note(session.server.layout)
    problems = session.server.log_problems()
    report.add("server log warnings/errors", str(len(problems)), "0", not problems)
    for line, count in Counter(problems).most_common(5):
        report.note(f"server log ({count}x): {line[:240]}")
    if session.feed.errors:
        report.add("subscription errors", str(len(session.feed.errors)), "0", False)
        for line in session.feed.errors[:5]:
            report.note(f"store app: {line[:200]}")

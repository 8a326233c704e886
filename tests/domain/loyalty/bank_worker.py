"""One client process of the bank-style check: earns and redeems at random until a deadline.

    python -m tests.domain.loyalty.bank_worker '<json settings>'

Prints one JSON line per answered request: the key, the entry it got (or the error code) and
whether the answer was a repeat. Keys named ``shared-N`` are sent by every process with the
same content (derived from N), so processes race to apply them; some requests reuse a key
with other content and must get DUPLICATE.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from datetime import UTC, datetime
from typing import Any

from domain import loyalty
from domain.db import close_database, open_database
from domain.enums import Channel
from domain.errors import DomainError
from domain.principal import Principal, Role
from domain.stores.lines import Line


class Client:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.s = settings
        self.rng = random.Random(settings["seed"])
        self.clerk = Principal(Role.CLERK, settings["staff"], settings["store"])
        self.sent: list[tuple[str, str, Any]] = []
        self.out: list[dict[str, Any]] = []

    def purchase(self, key: str, rng: random.Random) -> Any:
        member = rng.choice(self.s["members"])
        lines = [
            Line(p, rng.randint(1, 3)) for p in rng.sample(self.s["products"], rng.randint(1, 2))
        ]
        return lambda: loyalty.record_purchase(
            self.clerk, datetime.now(UTC), member_id=member, lines=lines, key=key
        )

    def redeem(self, key: str, rng: random.Random) -> Any:
        member = rng.choice(self.s["members"])
        return lambda: loyalty.redeem_points(
            self.clerk,
            datetime.now(UTC),
            member_id=member,
            reward_id=self.s["reward"],
            channel=Channel.STORE,
            key=key,
        )

    def request(self, n: int) -> tuple[str, str, Any]:
        """(operation, key, the call)."""
        roll = self.rng.random()
        if roll < 0.15 and self.sent:
            return self.rng.choice(self.sent)  # the same request again, same key
        bought = [sent for sent in self.sent if sent[0] == "purchase"]
        if roll < 0.2 and bought:
            _, key, _ = self.rng.choice(bought)  # the same key, other content: DUPLICATE
            return "purchase", key, self.purchase(key, random.Random(f"other-{n}"))
        if roll < 0.4:
            shared = self.rng.randrange(self.s["shared"])
            rng = random.Random(shared)
            op = "purchase" if shared % 2 else "redeem"
            key = f"shared-{shared}"
            return op, key, (self.purchase if op == "purchase" else self.redeem)(key, rng)
        key = f"p{self.s['seed']}-{n}"
        if roll < 0.65:
            return "purchase", key, self.purchase(key, self.rng)
        return "redeem", key, self.redeem(key, self.rng)

    async def run(self) -> None:
        deadline = time.monotonic() + self.s["seconds"]
        n = 0
        while time.monotonic() < deadline:
            n += 1
            op, key, call = self.request(n)
            try:
                result = await call()
            except DomainError as exc:
                self.out.append({"op": op, "key": key, "error": exc.code.value})
                continue
            self.sent.append((op, key, call))
            self.out.append(
                {"op": op, "key": key, "entry": result.entry.id, "repeated": result.repeated}
            )


async def main(settings: dict[str, Any]) -> None:
    ctx = await open_database(settings["database_url"])
    try:
        client = Client(settings)
        await client.run()
    finally:
        await close_database(ctx)
    for line in client.out:
        print(json.dumps(line))


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))

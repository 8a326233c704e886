"""The benchmark's world: stores on a grid around Guangzhou, a clerk each, members, a product.

Rows go straight into the fresh database with asyncpg (``COPY``) before the server starts:
thousands of stores through the API would take longer than the benchmarks themselves. The
server rebuilds its Redis store index from the database when it starts.

Geometry: stores sit on a square grid ``SPACING_KM`` apart with a ``RADIUS_KM`` service
radius. The delivery point of an order "for store i" lies ``OFFSET_KM`` from store i towards
one grid neighbour, so store i is the nearest (0.2 km), that neighbour the second nearest
(0.8 km), and every other store at least 1.02 km away. Members have no home store, so routing
is by distance alone: the first offer goes to store i, a re-route to its neighbour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
from argon2 import PasswordHasher

CENTRE = (23.13, 113.32)  # Guangzhou, Tianhe
SPACING_KM = 1.0
RADIUS_KM = 1.5
OFFSET_KM = 0.2
KM_PER_DEGREE_LAT = 110.574
PASSWORD = "bench-pass-1"

STORE_COLUMNS = [
    "code",
    "name",
    "address",
    "latitude",
    "longitude",
    "service_radius_km",
    "accepting_orders",
    "active",
    "created_at",
]
STAFF_COLUMNS = ["phone", "password_hash", "name", "role", "store_id", "active", "created_at"]
MEMBER_COLUMNS = [
    "phone",
    "password_hash",
    "name",
    "source",
    "tier",
    "points_balance",
    "member_pack_units",
    "joined_at",
]
ORDER_COLUMNS = [
    "id",
    "number",
    "member_id",
    "store_id",
    "status",
    "total",
    "delivery_address",
    "delivery_latitude",
    "delivery_longitude",
    "placed_at",
]


def _km_per_degree_lon(latitude: float) -> float:
    return 111.320 * math.cos(math.radians(latitude))


def cheap_hash(password: str = PASSWORD) -> str:
    """One argon2id hash reused by every account.

    Cheap parameters (t=1, 1 MiB): the server verifies with the parameters stored in the hash,
    so signing thousands of benchmark accounts in costs ~1 ms each instead of ~0.25 s each.
    """
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password)


@dataclass(frozen=True)
class Grid:
    """``count`` stores on a square grid centred on Guangzhou."""

    count: int

    @property
    def cols(self) -> int:
        return max(2, math.ceil(math.sqrt(self.count)))

    def cell(self, i: int) -> tuple[int, int]:
        return divmod(i, self.cols)

    def location(self, i: int) -> tuple[float, float]:
        row, col = self.cell(i)
        rows = math.ceil(self.count / self.cols)
        lat = CENTRE[0] + (row - (rows - 1) / 2) * SPACING_KM / KM_PER_DEGREE_LAT
        lon = CENTRE[1] + (col - (self.cols - 1) / 2) * SPACING_KM / _km_per_degree_lon(lat)
        return lat, lon

    def neighbour(self, i: int) -> int:
        """The store an order for store ``i`` is re-routed to: east, else west, else north."""
        _, col = self.cell(i)
        if col + 1 < self.cols and i + 1 < self.count:
            return i + 1
        if col > 0:
            return i - 1
        return i - self.cols

    def delivery_point(self, i: int) -> tuple[float, float]:
        """A point ``OFFSET_KM`` from store ``i`` towards its neighbour."""
        lat, lon = self.location(i)
        n_lat, n_lon = self.location(self.neighbour(i))
        share = OFFSET_KM / SPACING_KM
        return lat + (n_lat - lat) * share, lon + (n_lon - lon) * share


def clerk_phone(i: int) -> str:
    return f"137{i:08d}"


def member_phone(i: int) -> str:
    return f"139{i:08d}"


@dataclass
class World:
    grid: Grid
    idle_stores: int
    members: int
    store_ids: list[int]  # database ids, grid stores first, then idle (closed) stores
    member_ids: list[int]
    product_id: int

    @property
    def clerk_phones(self) -> list[str]:
        return [clerk_phone(i) for i in range(len(self.store_ids))]

    @property
    def member_phones(self) -> list[str]:
        return [member_phone(i) for i in range(self.members)]


async def seed(dsn: str, *, stores: int, members: int, idle_stores: int = 0) -> World:
    """Insert ``stores`` open grid stores, ``idle_stores`` closed ones (``active = false``: out
    of the index, never offered anything), a clerk per store, ``members`` members and one
    product."""
    grid = Grid(stores)
    now = datetime.now(UTC)
    password_hash = cheap_hash()
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        async with conn.transaction():
            product_id = await conn.fetchval(
                "INSERT INTO product (sku, name, price, is_member_pack, points_per_yuan, active,"
                " created_at) VALUES ('BENCH-1', 'Benchmark pack', $1, false, 1, true, $2)"
                " RETURNING id",
                Decimal("98.00"),
                now,
            )
            await conn.copy_records_to_table(
                "store",
                columns=STORE_COLUMNS,
                records=[
                    (
                        f"B{i:05d}",
                        f"Bench store {i}",
                        f"Grid {grid.cell(i)}",
                        *grid.location(i),
                        RADIUS_KM,
                        True,
                        True,
                        now,
                    )
                    for i in range(stores)
                ]
                + [
                    (
                        f"B{i:05d}",
                        f"Closed store {i}",
                        "Closed",
                        CENTRE[0] + 1,
                        CENTRE[1],
                        RADIUS_KM,
                        True,
                        False,
                        now,
                    )
                    for i in range(stores, stores + idle_stores)
                ],
            )
            by_code = dict(await conn.fetch("SELECT code, id FROM store"))
            store_ids = [int(by_code[f"B{i:05d}"]) for i in range(stores + idle_stores)]
            await conn.copy_records_to_table(
                "staff",
                columns=STAFF_COLUMNS,
                records=[
                    (clerk_phone(i), password_hash, f"Clerk {i}", "CLERK", store_id, True, now)
                    for i, store_id in enumerate(store_ids)
                ],
            )
            await conn.copy_records_to_table(
                "member",
                columns=MEMBER_COLUMNS,
                records=[
                    (member_phone(i), password_hash, f"Member {i}", "SELF", "POTENTIAL", 0, 0, now)
                    for i in range(members)
                ],
            )
            by_phone = dict(await conn.fetch("SELECT phone, id FROM member"))
            member_ids = [int(by_phone[member_phone(i)]) for i in range(members)]
    finally:
        await conn.close()
    return World(
        grid=grid,
        idle_stores=idle_stores,
        members=members,
        store_ids=store_ids,
        member_ids=member_ids,
        product_id=int(product_id),
    )


@dataclass(frozen=True)
class PendingOrder:
    order_id: int
    offer_id: int
    store: int  # grid index of the store it is offered to
    neighbour: int  # grid index of the store a re-route must pick


async def seed_pending_orders(
    dsn: str, w: World, stores_of: list[int], expires_at: datetime
) -> list[PendingOrder]:
    """Orders already placed and offered (one pending offer each, to grid store
    ``stores_of[k]``, expiring at ``expires_at``), written as ``orderPlace`` writes them."""
    now = datetime.now(UTC)
    price = Decimal("98.00")
    pending = [
        PendingOrder(order_id=k + 1, offer_id=k + 1, store=s, neighbour=w.grid.neighbour(s))
        for k, s in enumerate(stores_of)
    ]
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        async with conn.transaction():
            orders = []
            for k, p in enumerate(pending):
                lat, lon = w.grid.delivery_point(p.store)
                member = w.member_ids[k % len(w.member_ids)]
                store_id = w.store_ids[p.store]
                orders.append(
                    (
                        p.order_id,
                        f"OBENCH{k:08d}",
                        member,
                        store_id,
                        "PENDING",
                        price,
                        "Benchmark Rd 1, Guangzhou",
                        lat,
                        lon,
                        now,
                    )
                )
            await conn.copy_records_to_table(
                "orders",
                columns=ORDER_COLUMNS,
                records=orders,
            )
            await conn.copy_records_to_table(
                "order_item",
                columns=["id", "order_id", "product_id", "quantity", "unit_price"],
                records=[(p.order_id, p.order_id, w.product_id, 1, price) for p in pending],
            )
            await conn.copy_records_to_table(
                "order_offer",
                columns=["id", "order_id", "store_id", "status", "offered_at", "expires_at"],
                records=[
                    (p.offer_id, p.order_id, w.store_ids[p.store], "PENDING", now, expires_at)
                    for p in pending
                ],
            )
            for table in ("orders", "order_item", "order_offer"):
                await conn.execute(f"SELECT setval('{table}_id_seq', $1)", len(pending))
    finally:
        await conn.close()
    return pending

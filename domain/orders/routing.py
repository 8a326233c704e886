"""Which store an order goes to next."""

from __future__ import annotations

import math
from dataclasses import dataclass

from domain.orders.models import OrderOffer
from domain.sql import rows_by_id, rows_where_in
from domain.stores.models import Store
from domain.stores.network import rebuild_store_index
from realtime.geo import GeoIndex

# The widest service radius a store may have (domain.validation.radius_km).
SEARCH_RADIUS_KM = 100.0
# Most orders are served by one of the nearest few stores: look at those before all of them.
NEAREST_FIRST = 8
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Candidate:
    """What routing needs of an open store; its four columns, not the whole row (placing an
    order reads up to ``NEAREST_FIRST`` of them, and whole models were most of its cost)."""

    id: int
    latitude: float
    longitude: float
    service_radius_km: float


CANDIDATE_COLUMNS = ("id", "latitude", "longitude", "service_radius_km")


@dataclass(frozen=True)
class Destination:
    """Where an order goes, and what routing must respect."""

    latitude: float
    longitude: float
    home_store_id: int | None
    exclude: frozenset[int] = frozenset()


async def choose_store(
    index: GeoIndex,
    *,
    latitude: float,
    longitude: float,
    home_store_id: int | None,
    exclude: set[int],
) -> Candidate | None:
    """The home store if it can serve the point, else the nearest store that can, else None.

    A store can serve a point when it is active, accepting orders, has not been offered this
    order before (``exclude``), and the point lies within its own service radius.
    """
    where = Destination(latitude, longitude, home_store_id, frozenset(exclude))
    return (await choose_stores(index, [where]))[0]


async def choose_stores(index: GeoIndex, wheres: list[Destination]) -> list[Candidate | None]:
    """``choose_store`` for many orders at once: one Redis round trip and one query."""
    if not wheres:
        return []
    points = [(w.latitude, w.longitude) for w in wheres]
    ranked = await index.nearest_many(points, SEARCH_RADIUS_KM, NEAREST_FIRST)
    if not any(ranked) and not await index.size():
        await rebuild_store_index(index)  # Redis lost the index; the database knows the stores
        ranked = await index.nearest_many(points, SEARCH_RADIUS_KM, NEAREST_FIRST)
    wanted = {i for near in ranked for i, _ in near}
    wanted |= {w.home_store_id for w in wheres if w.home_store_id is not None}
    open_stores = await _open_stores(wanted)
    chosen: list[Candidate | None] = []
    for where, near in zip(wheres, ranked, strict=True):
        found = _first_serving(where, near, open_stores)
        if found is None and len(near) == NEAREST_FIRST:  # all near ones busy: every store
            (everyone,) = await index.nearest_many(
                [(where.latitude, where.longitude)], SEARCH_RADIUS_KM
            )
            found = _first_serving(where, everyone, await _open_stores({i for i, _ in everyone}))
        chosen.append(found)
    return chosen


async def _open_stores(ids: set[int]) -> dict[int, Candidate]:
    if not ids:
        return {}
    rows = await rows_by_id(Store, CANDIDATE_COLUMNS, ids, '"active" AND "accepting_orders"')
    return {int(row[0]): Candidate(int(row[0]), *map(float, row[1:])) for row in rows}


def _first_serving(
    where: Destination, ranked: list[tuple[int, float]], stores: dict[int, Candidate]
) -> Candidate | None:
    """The home store if it serves the point, else the nearest of ``ranked`` that does."""
    home = stores.get(where.home_store_id) if where.home_store_id is not None else None
    if home is not None and where.home_store_id not in where.exclude:
        reach = distance_km(home.latitude, home.longitude, where.latitude, where.longitude)
        if reach <= home.service_radius_km:
            return home
    for store_id, reach in ranked:
        store = stores.get(store_id)
        if store is not None and store_id not in where.exclude and reach <= store.service_radius_km:
            return store
    return None


async def tried_stores(order_id: int) -> set[int]:
    return (await tried_stores_of([order_id]))[order_id]


async def tried_stores_of(order_ids: list[int]) -> dict[int, set[int]]:
    """The stores already offered each order."""
    tried: dict[int, set[int]] = {i: set() for i in order_ids}
    rows = await rows_where_in(OrderOffer, ("order_id", "store_id"), "order_id", order_ids)
    for order_id, store_id in rows:
        tried[int(order_id)].add(int(store_id))
    return tried


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), as Redis computes it."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))

"""Which store an order goes to next."""

from __future__ import annotations

import math

from domain.models import OrderOffer, Store
from domain.stores import rebuild_store_index
from realtime.geo import GeoIndex

# The widest service radius a store may have (domain.validation.radius_km).
SEARCH_RADIUS_KM = 100.0
# Most orders are served by one of the nearest few stores: look at those before all of them.
NEAREST_FIRST = 32
EARTH_RADIUS_KM = 6371.0088


async def choose_store(
    index: GeoIndex,
    *,
    latitude: float,
    longitude: float,
    home_store_id: int | None,
    exclude: set[int],
) -> Store | None:
    """The home store if it can serve the point, else the nearest store that can, else None.

    A store can serve a point when it is active, accepting orders, has not been offered this
    order before (``exclude``), and the point lies within its own service radius.
    """
    ranked = await index.nearest(latitude, longitude, SEARCH_RADIUS_KM, NEAREST_FIRST)
    if not ranked and not await index.size():
        await rebuild_store_index(index)  # Redis lost the index; the database knows the stores
        ranked = await index.nearest(latitude, longitude, SEARCH_RADIUS_KM, NEAREST_FIRST)
    if home_store_id is not None and home_store_id not in exclude:
        home = await _serving(home_store_id, latitude, longitude)
        if home is not None:
            return home
    found = await _candidates(ranked, exclude)
    if not found and len(ranked) == NEAREST_FIRST:  # all near ones busy: look at every store
        everyone = await index.nearest(latitude, longitude, SEARCH_RADIUS_KM)
        found = await _candidates(everyone, exclude)
    return found[0] if found else None


async def _serving(store_id: int, latitude: float, longitude: float) -> Store | None:
    store = await Store.get_or_none(id=store_id, active=True, accepting_orders=True)
    if store is None:
        return None
    reach = distance_km(store.latitude, store.longitude, latitude, longitude)
    return store if reach <= store.service_radius_km else None


async def _candidates(ranked: list[tuple[int, float]], exclude: set[int]) -> list[Store]:
    """The stores of ``ranked`` that can serve the point, nearest first."""
    ids = [i for i, _ in ranked if i not in exclude]
    stores = {s.id: s for s in await Store.filter(id__in=ids, active=True, accepting_orders=True)}
    return [stores[i] for i, d in ranked if i in stores and d <= stores[i].service_radius_km]


async def tried_stores(order_id: int) -> set[int]:
    return {o.store_id for o in await OrderOffer.filter(order_id=order_id).only("id", "store_id")}


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), as Redis computes it."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))

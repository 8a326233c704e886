"""Stores and the geo index that finds them."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from domain import validation
from domain.errors import Duplicate, Forbidden, NotFound
from domain.principal import Principal, Role
from domain.stores.models import Store
from realtime import keys
from realtime.client import Redis
from realtime.geo import GeoIndex

DEFAULT_RADIUS_KM = 3.0


def store_index(redis: Redis) -> GeoIndex:
    return GeoIndex(redis, keys.STORE_GEO, keys.STORE_GEO_BUILDING)


async def rebuild_store_index(index: GeoIndex) -> int:
    """Load every active store into the geo index (at start: Redis may have been flushed)."""
    rows = await Store.filter(active=True).values_list("id", "latitude", "longitude")
    return await index.replace((int(i), float(lat), float(lng)) for i, lat, lng in rows)


async def create_store(
    actor: Principal,
    index: GeoIndex,
    *,
    code: str,
    name: str,
    address: str,
    latitude: float,
    longitude: float,
    service_radius_km: float | None,
) -> Store:
    code = validation.code(code, "code")
    name = validation.text(name, "name", max_length=100)
    address = validation.text(address, "address", max_length=255)
    latitude = validation.latitude(latitude, "location.latitude")
    longitude = validation.longitude(longitude, "location.longitude")
    radius = validation.radius_km(
        DEFAULT_RADIUS_KM if service_radius_km is None else service_radius_km
    )
    if await Store.exists(code=code):
        raise Duplicate("A store with this code exists.", "code")
    try:
        store = await Store.create(
            code=code,
            name=name,
            address=address,
            latitude=latitude,
            longitude=longitude,
            service_radius_km=radius,
        )
    except IntegrityError:
        raise Duplicate("A store with this code exists.", "code") from None
    await index.put(store.id, store.latitude, store.longitude)
    return store


async def set_accepting_orders(actor: Principal, store_id: int, accepting: bool) -> Store:
    """A manager of the store or an admin opens or pauses the store for new offers."""
    if not (actor.is_admin or (actor.role is Role.MANAGER and actor.store_id == store_id)):
        raise Forbidden()
    updated = await Store.filter(id=store_id).update(accepting_orders=accepting)
    if not updated:
        raise NotFound("No such store.", "id")
    return await Store.get(id=store_id)


async def stores_by_distance(
    index: GeoIndex, latitude: float, longitude: float
) -> list[tuple[Store, float]]:
    """Every active store with its distance in km, nearest first."""
    validation.latitude(latitude, "near.latitude")
    validation.longitude(longitude, "near.longitude")
    ranked = await index.nearest(latitude, longitude)
    by_id = {s.id: s for s in await Store.filter(id__in=[i for i, _ in ranked], active=True)}
    return [(by_id[i], distance) for i, distance in ranked if i in by_id]

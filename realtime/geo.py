"""A geo index of points by integer id (Redis GEOADD / GEOSEARCH)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from realtime.client import Redis

# Half the Earth's circumference: a radius that takes in every point.
WHOLE_EARTH_KM = 20_038.0

# One GEOSEARCH per point inside one script: a pipeline of them cost redis-py a command's
# packing and a reply's parsing per point, more CPU than the searches took Redis.
# ARGV: radius (km), count (0: all), then longitude and latitude of each point.
SEARCH_MANY = """
local radius, count = ARGV[1], ARGV[2]
local found = {}
for i = 3, #ARGV, 2 do
  if tonumber(count) > 0 then
    found[#found + 1] = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[i], ARGV[i + 1],
      'BYRADIUS', radius, 'km', 'ASC', 'COUNT', count, 'WITHDIST')
  else
    found[#found + 1] = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[i], ARGV[i + 1],
      'BYRADIUS', radius, 'km', 'ASC', 'WITHDIST')
  end
end
return found
"""


class GeoIndex:
    def __init__(self, redis: Redis, key: str, building_key: str) -> None:
        self._redis = redis
        self._key = key
        self._building = building_key
        self._search_many = redis.register_script(SEARCH_MANY)

    async def put(self, member_id: int, latitude: float, longitude: float) -> None:
        await self._redis.geoadd(self._key, (longitude, latitude, str(member_id)))

    async def size(self) -> int:
        return int(await self._redis.zcard(self._key))

    async def replace(self, points: Iterable[tuple[int, float, float]]) -> int:
        """Swap in a new index of ``(id, latitude, longitude)``; readers never see it empty."""
        flat: list[float | str] = []
        for member_id, latitude, longitude in points:
            flat.extend((longitude, latitude, str(member_id)))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._building)
            if flat:
                pipe.geoadd(self._building, flat)
                pipe.rename(self._building, self._key)
            else:
                pipe.delete(self._key)
            await pipe.execute()
        return len(flat) // 3

    async def nearest_many(
        self, points: list[tuple[float, float]], radius_km: float, count: int | None = None
    ) -> list[list[tuple[int, float]]]:
        """``nearest`` for each ``(latitude, longitude)``, in one command."""
        if not points:
            return []
        args: list[float | int] = [radius_km, count or 0]
        for latitude, longitude in points:
            args.extend((longitude, latitude))
        results = await self._search_many(keys=[self._key], args=args)
        return [[(int(m), float(d)) for m, d in rows] for rows in results]

    async def nearest(
        self,
        latitude: float,
        longitude: float,
        radius_km: float = WHOLE_EARTH_KM,
        count: int | None = None,
    ) -> list[tuple[int, float]]:
        """``(id, distance in km)`` within ``radius_km``, nearest first, at most ``count``."""
        rows = await self._redis.geosearch(
            self._key,
            longitude=longitude,
            latitude=latitude,
            radius=radius_km,
            unit="km",
            sort="ASC",
            count=count,
            withdist=True,
        )
        return [(int(member), float(distance)) for member, distance in cast(list[Any], rows)]

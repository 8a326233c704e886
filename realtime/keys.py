"""Every Redis key and channel name o2o uses, in one place.

All share the hash tag ``{o2o}`` so that multi-key Lua scripts run on Redis Cluster too.
"""

PREFIX = "{o2o}"

STORE_GEO = f"{PREFIX}:stores:geo"
STORE_GEO_BUILDING = f"{PREFIX}:stores:geo:building"

"""Every Redis key and channel name o2o uses, in one place.

All share the hash tag ``{o2o}`` so that multi-key Lua scripts run on Redis Cluster too.
"""

PREFIX = "{o2o}"

STORE_GEO = f"{PREFIX}:stores:geo"
STORE_GEO_BUILDING = f"{PREFIX}:stores:geo:building"

# Deadline queue: members scored by due time (ms); claimed ones scored by lease end (ms).
DEADLINES_DUE = f"{PREFIX}:deadlines:due"
DEADLINES_INFLIGHT = f"{PREFIX}:deadlines:inflight"
DEADLINES_WAKE = f"{PREFIX}:deadlines:wake"

# The one pub/sub channel every process reads; the bus carries the channels below inside it.
EVENTS = f"{PREFIX}:events"


def store_events(store_id: int) -> str:
    return f"{PREFIX}:events:store:{store_id}"


def order_events(order_id: int) -> str:
    return f"{PREFIX}:events:order:{order_id}"


UNASSIGNED_EVENTS = f"{PREFIX}:events:unassigned"

# A deadline queue entry names what falls due: an offer's end.
OFFER_DEADLINE = "offer"


def offer_deadline(offer_id: int) -> str:
    return f"{OFFER_DEADLINE}:{offer_id}"


def offer_of_deadline(deadline: str) -> int | None:
    kind, _, value = deadline.partition(":")
    return int(value) if kind == OFFER_DEADLINE and value.isdigit() else None


# Revoked tokens: each by id, and every token of a subject issued before a time; LOADED marks
# that Redis holds every revocation of the database (it is gone after a restart or a flush).
REVOKED_LOADED = f"{PREFIX}:revoked:loaded"


def revoked_token(token_id: str) -> str:
    return f"{PREFIX}:revoked:token:{token_id}"


def revoked_since(role: str, user_id: int) -> str:
    return f"{PREFIX}:revoked:since:{role}:{user_id}"


def rate_window(rate: str, subject_digest: str) -> str:
    """A rate limit's counter for one subject (a digest: subjects may be phone numbers)."""
    return f"{PREFIX}:rate:{rate}:{subject_digest}"


# Sign-outs and staff removals, so that every API process closes the sockets they name.
REVOCATION_EVENTS = f"{PREFIX}:events:revocations"


def scoped(channel: str, database: int) -> str:
    """``channel`` as published on the wire.

    Keys live in one Redis database, but pub/sub channels are server-wide: two deployments (or
    a test run and a benchmark) on different databases of one server would hear each other.
    """
    return f"db{database}:{channel}"


# Every diversion alert a counter's scan raises, for the admins' live view.
DIVERSION_ALERTS = f"{PREFIX}:events:diversion-alerts"

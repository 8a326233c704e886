"""``/healthz``: 200 when the database and Redis answer, else 503 naming the one that does not.

Each is asked on a connection of the health check's own (``Runtime.db_probe`` and
``redis_probe``): a request waiting for a pooled connection is not an outage, and a health
check that queued behind thousands of them reported one while both answered in milliseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.runtime import PROBE_TIMEOUT


async def _probe(check: Awaitable[object]) -> str:
    try:
        await asyncio.wait_for(check, PROBE_TIMEOUT)
    except Exception:  # any failure means "does not answer"; the body says which part
        return "unavailable"
    return "ok"


async def live(request: Request) -> JSONResponse:
    """The process answers: restart it when this fails; say nothing of its dependencies."""
    return JSONResponse({"status": "ok"})


async def healthz(request: Request) -> JSONResponse:
    """Ready: the database and Redis answer, so requests can be sent here."""
    state = request.app.state
    database, redis = await asyncio.gather(
        _probe(state.db_probe.check()),
        _probe(state.redis_probe.ping()),
    )
    healthy = database == "ok" and redis == "ok"
    return JSONResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "redis": redis,
            "subscriptions": state.services.bus.subscriber_count,
        },
        status_code=200 if healthy else 503,
    )

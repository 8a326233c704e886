"""``/healthz``: 200 when the database and Redis answer, else 503 naming the one that does not."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

CHECK_TIMEOUT = 2.0


async def _probe(check: Any) -> str:
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT)
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
        _probe(state.db_client.execute_query("SELECT 1")),
        _probe(state.services.redis.ping()),
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

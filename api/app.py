"""The Starlette application factory and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute

from api.graphql_view import GraphQLView
from api.health import healthz
from api.settings import Settings
from api.worker import reconcile_forever
from domain.db import close_database, open_database
from domain.stores import rebuild_store_index, store_index
from domain.tokens import TokenCodec
from realtime.client import connect
from schema.context import Services
from schema.root import Limits, build_schema

log = logging.getLogger("o2o.app")


def create_app(settings: Settings, *, run_worker: bool = False) -> Starlette:
    schema = build_schema(
        introspection=settings.explorer,
        limits=Limits(settings.max_query_depth, settings.max_aliases, settings.max_tokens),
    )
    view = GraphQLView(schema, explorer=settings.explorer)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = await open_database(settings.database_url)
        redis = connect(settings.redis_url)
        try:
            index = store_index(redis)
            count = await rebuild_store_index(index)
            log.info("store geo index rebuilt with %d stores", count)
            app.state.db_client = db.db()
            app.state.services = Services(
                tokens=TokenCodec(settings.secret_key, settings.token_ttl_seconds),
                redis=redis,
                store_index=index,
            )
            stop = asyncio.Event()
            tasks = [asyncio.create_task(reconcile_forever(redis, stop))] if run_worker else []
            try:
                yield
            finally:
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await redis.aclose()
            await close_database(db)

    return Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )

"""The Starlette application factory and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

from api.graphql_view import GraphQLView
from api.health import healthz, live
from api.limits import BodySizeLimit
from api.metrics import metrics_endpoint, record
from api.runtime import crm_generation, open_runtime
from api.settings import Settings
from api.store_web import store_app_mount
from api.structured_logs import RequestLog
from api.worker import run_background
from domain.access.tokens import TokenCodec
from realtime.clock import Clock
from schema.core.context import Services
from schema.root import Limits, build_schema


def create_app(
    settings: Settings, *, run_worker: bool = False, clock: Clock | None = None
) -> Starlette:
    schema = build_schema(
        introspection=settings.explorer,
        limits=Limits(
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_selections=settings.max_selections,
            max_repeats=settings.max_repeats,
        ),
        reporter=record,
    )
    view = GraphQLView(schema, explorer=settings.explorer, abuse=settings.abuse)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_runtime(settings, clock=clock) as runtime:
            app.state.db_client = runtime.db.db()
            app.state.db_probe = runtime.db_probe
            app.state.redis_probe = runtime.redis_probe
            app.state.services = Services(
                tokens=TokenCodec(settings.secret_key, settings.token_ttl_seconds),
                redis=runtime.redis,
                store_index=runtime.dispatch.stores,
                bus=runtime.bus,
                dispatch=runtime.dispatch,
                rate_limits=settings.abuse.budgets(),
                settlement_yuan_per_point=settings.settlement_yuan_per_point,
                crm=crm_generation(settings.crm),
            )
            stop = asyncio.Event()
            background = (
                [
                    asyncio.create_task(
                        run_background(
                            runtime.dispatch,
                            runtime.redis,
                            stop,
                            settings.reconcile_seconds,
                            settings.crm,
                        )
                    )
                ]
                if run_worker
                else []
            )
            try:
                async with view.sockets.watching(runtime.bus, runtime.redis):
                    yield
            finally:
                stop.set()
                await asyncio.gather(*background, return_exceptions=True)

    return Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz),
            Route("/healthz/ready", healthz),
            Route("/healthz/live", live),
            Route("/metrics", metrics_endpoint(settings.metrics_token)),
            store_app_mount(),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(RequestLog),
            Middleware(
                BodySizeLimit,
                max_bytes=settings.abuse.max_body_bytes,
                timeout=settings.abuse.http_body_timeout_seconds,
            ),
        ],
    )

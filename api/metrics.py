"""``/metrics`` in the Prometheus text format (see docs/metrics.md).

Request counts and latencies are counted by this process as operations finish. Offer and order
figures are read from the database at scrape time, and the deadline queue from Redis, so they
are the same whichever process is scraped and include what worker processes did.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from domain.crm.channel.models import AlertStatus, DiversionAlert, DiversionKind
from domain.enums import OfferStatus, OrderStatus
from domain.orders.models import Order
from schema.guards.observability import OperationReport

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "o2o_graphql_operations",
    "GraphQL operations finished, by operation (type and root field) and outcome.",
    ["operation", "outcome"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "o2o_graphql_operation_seconds",
    "Time to answer a GraphQL operation (a subscription: to set it up).",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)


def record(report: OperationReport) -> None:
    REQUESTS.labels(report.operation, report.outcome).inc()
    LATENCY.labels(report.operation).observe(report.seconds)


@dataclass(frozen=True)
class Snapshot:
    offers_by_status: dict[str, int]
    offers_made: int
    orders_offered: int
    unassigned: int
    subscriptions: int
    deadlines_waiting: int
    deadlines_in_flight: int
    lateness_seconds: float
    # Diversion alerts by (kind, status); a pair with none is absent.
    alerts: dict[tuple[str, str], int]


async def snapshot(request: Request) -> Snapshot:
    services = request.app.state.services
    db = request.app.state.db_client
    rows = await db.execute_query_dict(
        "SELECT status, COUNT(*) AS n FROM order_offer GROUP BY status"
    )
    by_status = {str(row["status"]): int(row["n"]) for row in rows}
    offered = await db.execute_query_dict("SELECT COUNT(DISTINCT order_id) AS n FROM order_offer")
    unassigned = await Order.filter(status=OrderStatus.UNASSIGNED).count()
    waiting, in_flight = await services.dispatch.deadlines.depth()
    next_due = await services.dispatch.deadlines.next_due()
    now = services.dispatch.clock.now()
    lateness = max(0.0, now - next_due) if next_due is not None else 0.0
    table = DiversionAlert._meta.db_table
    alert_rows = await db.execute_query_dict(
        f'SELECT "kind", "status", COUNT(*) AS n FROM "{table}" GROUP BY "kind", "status"'
    )
    return Snapshot(
        offers_by_status=by_status,
        offers_made=sum(by_status.values()),
        orders_offered=int(offered[0]["n"]),
        unassigned=unassigned,
        subscriptions=services.bus.subscriber_count,
        deadlines_waiting=waiting,
        deadlines_in_flight=in_flight,
        lateness_seconds=lateness,
        alerts={(str(r["kind"]), str(r["status"])): int(r["n"]) for r in alert_rows},
    )


class SnapshotCollector(Collector):
    def __init__(self, state: Snapshot) -> None:
        self.state = state

    def collect(self) -> Iterable[Metric]:
        s = self.state
        made = CounterMetricFamily("o2o_offers_made", "Offers made to stores.")
        made.add_metric([], s.offers_made)
        ended = CounterMetricFamily(
            "o2o_offers_ended",
            "Offers by how they ended: ACCEPTED, DECLINED, EXPIRED, WITHDRAWN.",
            labels=["status"],
        )
        for status in OfferStatus:
            if status is not OfferStatus.PENDING:
                ended.add_metric([status.value], s.offers_by_status.get(status.value, 0))
        rerouted = CounterMetricFamily(
            "o2o_offers_rerouted", "Offers made after an earlier offer of the same order ended."
        )
        rerouted.add_metric([], s.offers_made - s.orders_offered)
        yield from (made, ended, rerouted)
        yield _gauge(
            "o2o_offers_pending",
            "Offers waiting for a store's answer.",
            s.offers_by_status.get(OfferStatus.PENDING.value, 0),
        )
        yield _gauge("o2o_orders_unassigned", "Orders no store can take now.", s.unassigned)
        yield _gauge(
            "o2o_subscriptions_open", "Open subscriptions in this process.", s.subscriptions
        )
        depth = GaugeMetricFamily(
            "o2o_deadline_queue_depth", "Offer deadlines in the queue.", labels=["state"]
        )
        depth.add_metric(["waiting"], s.deadlines_waiting)
        depth.add_metric(["in_flight"], s.deadlines_in_flight)
        yield depth
        yield _gauge(
            "o2o_deadline_lateness_seconds",
            "How far past due the earliest deadline is (0 when none is overdue).",
            s.lateness_seconds,
        )
        alerts = GaugeMetricFamily(
            "o2o_diversion_alerts",
            "Diversion alerts by kind (DIVERTED, DUPLICATE_SCAN, UNKNOWN_SERIAL) and status.",
            labels=["kind", "status"],
        )
        # Every pair, 0 included: a series that appears only with its first alert cannot be
        # told from a scrape that failed, and rate() needs the zero before it.
        for kind in DiversionKind:
            for verdict in AlertStatus:
                pair = (kind.value, verdict.value)
                alerts.add_metric(list(pair), s.alerts.get(pair, 0))
        yield alerts


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, documentation)
    gauge.add_metric([], value)
    return gauge


async def metrics(request: Request) -> Response:
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(SnapshotCollector(await snapshot(request)))
    return Response(generate_latest(REGISTRY) + generate_latest(scraped), media_type=CONTENT_TYPE)


def metrics_endpoint(token: str) -> Callable[[Request], Awaitable[Response]]:
    """``/metrics`` for the scraper that sends ``Authorization: Bearer <token>``, and no one else.

    The figures (operations by outcome, offers, queue depth) tell an outsider how busy the
    brand is and what fails: with no token configured, the endpoint answers no one.
    """
    expected = f"Bearer {token}".encode()

    async def guarded(request: Request) -> Response:
        if not token:
            return PlainTextResponse(
                "/metrics is off: set METRICS_TOKEN and scrape with it as a bearer token.\n",
                status_code=403,
            )
        sent = request.headers.get("authorization", "").encode("latin-1", "replace")
        if not hmac.compare_digest(sent, expected):
            return PlainTextResponse(
                "A bearer token is required (METRICS_TOKEN).\n",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return await metrics(request)

    return guarded

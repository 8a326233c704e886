"""Every root operation x every kind of caller x the expected outcome, in one table.

The world: stores A and B; A's clerk and manager, B's clerk; a member whose home store is A
and whose PENDING order is offered to A; another member; an admin. Each (operation, caller)
runs on a fresh world. ``test_every_served_operation_has_a_row`` reads the served schema: an
operation added without a row here fails the build.

Adding an operation: add a ``Row`` to ``ROWS`` under its field name, with the document, its
variables (from the world) and ``expect(default, caller=outcome, ...)``.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain import loyalty, orders
from domain.crm.callbacks import Kind
from domain.crm.channel import distributors
from domain.crm.channel.models import DiversionAlert
from domain.crm.generation import local_day
from domain.crm.models import CallbackTask, Message
from domain.enums import StaffRole
from domain.principal import Principal, Role
from domain.stores.lines import Line
from domain.stores.models import Store
from schema.core.context import Context
from schema.core.relay import to_global_id
from tests import factories
from tests.e2e.server import poll
from tests.factories import PASSWORD
from tests.orders_helpers import HOME, place, stores_east

CALLERS = (
    "anonymous",
    "member",
    "other_member",
    "clerk",
    "manager",
    "other_clerk",
    "admin",
    "distributor",
)
OK, DENIED, HIDDEN, REFUSED = "ok", "denied", "hidden", "refused"
_phones = itertools.count(1)


def expect(default: str, **outcomes: str) -> dict[str, str]:
    unknown = set(outcomes) - set(CALLERS)
    assert not unknown, unknown
    return {caller: outcomes.get(caller, default) for caller in CALLERS}


@dataclass
class World:
    principals: dict[str, Principal | None]
    store_a: Store
    store_b: Store
    member_phone: str
    ids: dict[str, Any]
    dispatch: Any
    extra: dict[str, Any] = field(default_factory=dict)


async def build_world(dispatch: Any) -> World:
    a, b = await stores_east(dispatch, 1.0, 2.0)
    member = await factories.member(home=a)
    clerk = await factories.staff(a)
    product = await factories.product()
    admin = factories.as_admin(await factories.admin())
    # A distributor supplying store A, with its own sign-in.
    distributor = await distributors.create_distributor(
        admin, code=f"D{next(_phones)}", name="North", store_ids=[a.id]
    )
    principals: dict[str, Principal | None] = {
        "anonymous": None,
        "member": factories.as_member(member),
        "other_member": factories.as_member(await factories.member(home=b)),
        "clerk": factories.as_staff(clerk),
        "manager": factories.as_staff(await factories.staff(a, StaffRole.MANAGER)),
        "other_clerk": factories.as_staff(await factories.staff(b)),
        "admin": admin,
        "distributor": Principal(Role.DISTRIBUTOR, distributor.id),
    }
    placed = await place(dispatch, factories.as_member(member), product)
    assert placed.order.store_id == a.id
    ids = {
        "order": to_global_id("Order", placed.order.id),
        "store_a": to_global_id("Store", a.id),
        "store_b": to_global_id("Store", b.id),
        "member": to_global_id("Member", member.id),
        "clerk": to_global_id("Staff", clerk.id),
        "product": to_global_id("Product", product.id),
        "distributor": to_global_id("Distributor", distributor.id),
    }
    extra = {"order_pk": placed.order.id, "member_pk": member.id, "distributor_pk": distributor.id}
    return World(principals, a, b, member.phone, ids, dispatch, extra)


Variables = Callable[[World], dict[str, Any]]
Seen = Callable[[Any, World], bool]


@dataclass(frozen=True)
class Row:
    document: str
    expect: dict[str, str]
    variables: Variables = lambda _w: {}
    # For lists: whether the answer includes the world's thing (else the outcome is HIDDEN).
    seen: Seen | None = None
    prepare: Callable[[World], Awaitable[None]] | None = None
    # Subscriptions that stream only future events: makes one happen once subscribed.
    trigger: Callable[[World], Awaitable[None]] | None = None
    # Subscriptions: what happens once the first answer is in, and what each caller whose
    # first answer was OK gets as the next event (visibility is checked again at each one).
    event: Callable[[World], Awaitable[None]] | None = None
    at_event: dict[str, str] | None = None


def _edges_include(key: str) -> Seen:
    return lambda data, world: any(e["node"]["id"] == world.ids[key] for e in data["edges"])


def _clerk(world: World) -> Principal:
    clerk = world.principals["clerk"]
    assert clerk is not None
    return clerk


async def _accepted(world: World) -> None:
    await orders.accept_order(world.dispatch, _clerk(world), world.extra["order_pk"])


async def _out_for_delivery(world: World) -> None:
    await _accepted(world)
    await orders.start_delivery(world.dispatch, _clerk(world), world.extra["order_pk"])


async def _declined_by_a(world: World) -> None:
    """Store A's clerk declines the world's order: it moves on to store B."""
    await orders.decline_order(world.dispatch, _clerk(world), world.extra["order_pk"], None)


async def _an_order_nobody_serves(world: World) -> None:
    product = await factories.product()
    await orders.place_order(
        world.dispatch,
        world.principals["other_member"],  # type: ignore[arg-type]
        lines=[Line(product.id, 1)],
        delivery_address="Far away",
        latitude=HOME[0] + 5,
        longitude=HOME[1],
        idempotency_key=None,
    )


async def _a_sale_with_a_voucher(world: World) -> None:
    """The member bought six member packs at store A: 600 points, one voucher, a reward."""
    pack = await factories.product(member_pack=True)
    earned = await loyalty.record_purchase(
        _clerk(world),
        world.dispatch.now(),
        member_id=world.extra["member_pk"],
        lines=[Line(pack.id, 6)],
        key=f"matrix-{next(_phones)}",
    )
    world.ids["voucher"] = to_global_id("Voucher", earned.vouchers[0].id)
    world.ids["reward"] = to_global_id("Reward", (await factories.reward(100)).id)


async def _an_activity_running(world: World) -> None:
    now = world.dispatch.now()
    activity = await loyalty.create_activity(
        world.principals["admin"],  # type: ignore[arg-type]
        name="Baby fair",
        points=20,
        cost=Decimal("0"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    world.ids["activity"] = to_global_id("Activity", activity.id)


async def _a_sale_with_an_unknown_code(world: World) -> None:
    """Store A sells a unit whose code nobody shipped: an UNKNOWN_SERIAL alert."""
    product = await factories.product()
    earned = await loyalty.record_purchase(
        _clerk(world),
        world.dispatch.now(),
        member_id=world.extra["member_pk"],
        lines=[Line(product.id, 1)],
        key=f"matrix-{next(_phones)}",
        serials=[f"NEVER-{next(_phones):08d}"],
    )
    assert earned.scans[0].alert_id is not None
    world.ids["alert"] = to_global_id("DiversionAlert", earned.scans[0].alert_id)
    world.extra["alert_pk"] = earned.scans[0].alert_id


async def _an_alert_against_the_distributor(world: World) -> None:
    """As if the code had been shipped by the world's distributor and sold twice."""
    await _a_sale_with_an_unknown_code(world)
    await DiversionAlert.filter(id=world.extra["alert_pk"]).update(
        distributor_id=world.extra["distributor_pk"]
    )


async def _a_counter_sale_with_an_unknown_code(world: World) -> None:
    """The same through purchaseRecord, whose resolver announces the alert on the event bus."""
    gql = world.extra["gql"]
    product = await factories.product()
    token = gql.services.tokens.issue(_clerk(world))
    context = await Context.for_checked_token(gql.services, token)
    result = await gql.schema.execute(
        "mutation($input: PurchaseRecordInput!) { purchaseRecord(input: $input) "
        "{ serials { kind } errors { code } } }",
        {
            "input": {
                "memberId": world.ids["member"],
                "lines": [{"productId": to_global_id("Product", product.id), "quantity": 1}],
                "idempotencyKey": f"k-{next(_phones)}",
                "serials": [f"NEVER-{next(_phones):08d}"],
            }
        },
        context_value=context,
    )
    assert result.errors is None, result.errors
    assert result.data["purchaseRecord"]["serials"] == [{"kind": "UNKNOWN_SERIAL"}]


async def _a_task_at_a_today(world: World) -> None:
    """A call-back task for the member, at store A, due today (the brand's day)."""
    day = local_day(world.dispatch.now(), ZoneInfo("Asia/Shanghai"))
    task = await CallbackTask.create(
        member_id=world.extra["member_pk"],
        store_id=world.store_a.id,
        kind=Kind.BIRTHDAY,
        due_on=day,
        occasion="matrix",
        reason="生日",
        created_at=world.dispatch.now(),
    )
    world.ids["task"] = to_global_id("CallbackTask", task.id)


async def _a_message_queued(world: World) -> None:
    now = world.dispatch.now()
    message = await Message.create(
        member_id=world.extra["member_pk"],
        topic="BIRTHDAY",
        body="生日快乐",
        key=f"matrix-{next(_phones)}",
        next_attempt_at=now,
        created_at=now,
    )
    world.ids["message"] = to_global_id("Message", message.id)


def _dates() -> dict[str, str]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return {"startsAt": start.isoformat(), "endsAt": (start + timedelta(days=30)).isoformat()}


def _new_phone() -> str:
    return f"1331{next(_phones):07d}"


ORDER_ACTION = "mutation($id: ID!) {{ {0}(id: $id) {{ order {{ id }} errors {{ code }} }} }}"


def order_id(world: World) -> dict[str, Any]:
    return {"id": world.ids["order"]}


# Another store's clerk is told FORBIDDEN (the order exists but is not theirs), not NOT_FOUND.
STAFF_ONLY = expect(DENIED, clerk=OK, manager=OK)

ROWS: dict[str, Row] = {
    # Queries
    "node": Row(
        "query($id: ID!) { node(id: $id) { id } }",
        expect(HIDDEN, member=OK, clerk=OK, manager=OK, admin=OK),
        order_id,
    ),
    "viewer": Row("{ viewer { role } }", expect(OK, anonymous=HIDDEN)),
    "stores": Row(
        "{ stores { edges { node { id } } } }", expect(OK), seen=_edges_include("store_a")
    ),
    "products": Row("{ products { id } }", expect(OK)),
    "rewards": Row("{ rewards { id } }", expect(OK)),
    "order": Row(
        "query($id: ID!) { order(id: $id) { id } }",
        expect(HIDDEN, member=OK, clerk=OK, manager=OK, admin=OK),
        order_id,
    ),
    "orders": Row(
        "{ orders { edges { node { id } } } }",
        expect(HIDDEN, anonymous=DENIED, member=OK, clerk=OK, manager=OK, admin=OK),
        seen=_edges_include("order"),
    ),
    "member": Row(
        "query($id: ID!) { member(id: $id) { id } }",
        expect(HIDDEN, member=OK, clerk=OK, manager=OK, admin=OK),
        lambda w: {"id": w.ids["member"]},
    ),
    "members": Row(
        "{ members { edges { node { id } } } }",
        expect(DENIED, clerk=OK, manager=OK, other_clerk=HIDDEN, admin=OK),
        seen=_edges_include("member"),
    ),
    # Mutations
    "tokenCreate": Row(
        "mutation($p: String!, $w: String!) { tokenCreate(phone: $p, password: $w) "
        "{ token errors { code } } }",
        expect(OK),
        lambda w: {"p": w.member_phone, "w": PASSWORD},
    ),
    "tokenRevoke": Row("mutation { tokenRevoke { revoked } }", expect(OK, anonymous=DENIED)),
    "memberRegister": Row(
        "mutation($input: MemberRegisterInput!) { memberRegister(input: $input) "
        "{ member { id } errors { code } } }",
        expect(OK),
        lambda w: {
            "input": {
                "phone": _new_phone(),
                "password": PASSWORD,
                "name": "New",
                "storeCode": w.store_a.code,
            }
        },
    ),
    "storeCreate": Row(
        "mutation($input: StoreCreateInput!) { storeCreate(input: $input) "
        "{ store { id } errors { code } } }",
        expect(DENIED, admin=OK),
        lambda _w: {
            "input": {
                "code": f"NEW-{next(_phones)}",
                "name": "New store",
                "address": "1 New Road",
                "location": {"latitude": 23.2, "longitude": 113.4},
            }
        },
    ),
    "storeSetAcceptingOrders": Row(
        "mutation($id: ID!) { storeSetAcceptingOrders(id: $id, accepting: false) "
        "{ store { id } errors { code } } }",
        expect(DENIED, manager=OK, admin=OK),
        lambda w: {"id": w.ids["store_a"]},
    ),
    "staffCreate": Row(
        "mutation($input: StaffCreateInput!) { staffCreate(input: $input) "
        "{ staff { id } errors { code } } }",
        expect(DENIED, manager=OK, admin=OK),
        lambda w: {
            "input": {
                "storeId": w.ids["store_a"],
                "phone": _new_phone(),
                "password": PASSWORD,
                "name": "New clerk",
                "role": "CLERK",
            }
        },
    ),
    "staffRemove": Row(
        "mutation($id: ID!) { staffRemove(id: $id) { staff { id } errors { code } } }",
        expect(DENIED, manager=OK, other_clerk=DENIED, admin=OK),
        lambda w: {"id": w.ids["clerk"]},
    ),
    "productCreate": Row(
        "mutation($input: ProductCreateInput!) { productCreate(input: $input) "
        "{ product { id } errors { code } } }",
        expect(DENIED, admin=OK),
        lambda _w: {"input": {"sku": f"SKU-{next(_phones)}", "name": "Wipes", "price": "9.90"}},
    ),
    "rewardCreate": Row(
        "mutation($input: RewardCreateInput!) { rewardCreate(input: $input) "
        "{ reward { id } errors { code } } }",
        expect(DENIED, admin=OK),
        lambda _w: {"input": {"name": "Bib", "pointsCost": 50}},
    ),
    "orderPlace": Row(
        "mutation($input: OrderPlaceInput!) { orderPlace(input: $input) "
        "{ order { id } errors { code } } }",
        expect(DENIED, member=OK, other_member=OK),
        lambda w: {
            "input": {
                "lines": [{"productId": w.ids["product"], "quantity": 1}],
                "deliveryAddress": "1 Customer Road",
                "deliveryLocation": {"latitude": HOME[0], "longitude": HOME[1]},
            }
        },
    ),
    "orderCancel": Row(
        ORDER_ACTION.format("orderCancel"),
        expect(DENIED, member=OK, other_member=HIDDEN, admin=OK),
        order_id,
    ),
    "orderAccept": Row(ORDER_ACTION.format("orderAccept"), STAFF_ONLY, order_id),
    "orderDecline": Row(ORDER_ACTION.format("orderDecline"), STAFF_ONLY, order_id),
    "orderStartDelivery": Row(
        ORDER_ACTION.format("orderStartDelivery"), STAFF_ONLY, order_id, prepare=_accepted
    ),
    "orderComplete": Row(
        ORDER_ACTION.format("orderComplete"), STAFF_ONLY, order_id, prepare=_out_for_delivery
    ),
    "orderAssign": Row(
        "mutation($id: ID!, $s: ID!) { orderAssign(id: $id, storeId: $s) "
        "{ order { id } errors { code } } }",
        expect(DENIED, admin=OK),
        lambda w: {"id": w.ids["order"], "s": w.ids["store_b"]},
    ),
    # Loyalty
    "campaigns": Row("{ campaigns { id } }", expect(OK)),
    "activities": Row("{ activities { id } }", expect(OK)),
    "pointsLeaderboard": Row(
        "{ pointsLeaderboard(year: 2026) { points } }", expect(DENIED, admin=OK)
    ),
    "memberByPhone": Row(
        "query($p: String!) { memberByPhone(phone: $p) { id } }",
        expect(DENIED, clerk=OK, manager=OK, other_clerk=OK, admin=OK),
        lambda w: {"p": w.member_phone},
    ),
    "purchaseRecord": Row(
        "mutation($input: PurchaseRecordInput!) { purchaseRecord(input: $input) "
        "{ entry { id } errors { code } } }",
        STAFF_ONLY | {"other_clerk": OK},
        lambda w: {
            "input": {
                "memberId": w.ids["member"],
                "lines": [{"productId": w.ids["product"], "quantity": 1}],
                "idempotencyKey": f"k-{next(_phones)}",
            }
        },
    ),
    # Staff redeem for any member at their counter; a member only for themselves, on the web
    # or in the app (so PHONE, the channel asked here, is refused: a channel error, not auth).
    "pointsRedeem": Row(
        "mutation($input: PointsRedeemInput!) { pointsRedeem(input: $input) "
        "{ entry { id } errors { code } } }",
        expect(DENIED, member=REFUSED, clerk=OK, manager=OK, other_clerk=OK, admin=OK),
        lambda w: {
            "input": {
                "memberId": w.ids["member"],
                "rewardId": w.ids["reward"],
                "channel": "PHONE",
                "idempotencyKey": f"k-{next(_phones)}",
            }
        },
        prepare=_a_sale_with_a_voucher,
    ),
    "voucherRedeem": Row(
        "mutation($id: ID!, $m: ID!) { voucherRedeem(id: $id, memberId: $m) "
        "{ voucher { id } errors { code } } }",
        expect(DENIED, clerk=OK, manager=OK, other_clerk=OK),
        lambda w: {"id": w.ids["voucher"], "m": w.ids["member"]},
        prepare=_a_sale_with_a_voucher,
    ),
    "campaignCreate": Row(
        "mutation($input: CampaignCreateInput!) { campaignCreate(input: $input) "
        "{ campaign { id } errors { code } } }",
        expect(DENIED, admin=OK),
        lambda _w: {"input": {"name": "Double", "multiplier": "2", **_dates()}},
    ),
    "activityCreate": Row(
        "mutation($input: ActivityCreateInput!) { activityCreate(input: $input) "
        "{ activity { id } errors { code } } }",
        expect(DENIED, admin=OK),
        lambda _w: {"input": {"name": "Fair", "points": 10, "cost": "0", **_dates()}},
    ),
    "activityCheckIn": Row(
        "mutation($a: ID!, $m: ID!) { activityCheckIn(activityId: $a, memberId: $m) "
        "{ entry { id } errors { code } } }",
        expect(OK, anonymous=DENIED, other_member=DENIED, distributor=DENIED),
        lambda w: {"a": w.ids["activity"], "m": w.ids["member"]},
        prepare=_an_activity_running,
    ),
    # The channel
    "diversionAlerts": Row(
        "{ diversionAlerts { edges { node { id } } } }",
        expect(DENIED, admin=OK, distributor=OK),
        seen=_edges_include("alert"),
        prepare=_an_alert_against_the_distributor,
    ),
    "distributorStatements": Row(
        '{ distributorStatements(from: "2026-01-01", to: "2026-01-31") { rebate } }',
        expect(DENIED, admin=OK, distributor=OK),
    ),
    "storeSettlements": Row(
        '{ storeSettlements(from: "2026-01-01", to: "2026-01-31") { payable } }',
        expect(DENIED, clerk=OK, manager=OK, other_clerk=OK, admin=OK),
    ),
    "distributorCreate": Row(
        "mutation($input: DistributorCreateInput!) { distributorCreate(input: $input) "
        "{ distributor { id } errors { code } } }",
        expect(DENIED, admin=OK),
        lambda w: {
            "input": {"code": f"NEW{next(_phones)}", "name": "New", "storeIds": [w.ids["store_b"]]}
        },
    ),
    "shipmentRecord": Row(
        "mutation($input: ShipmentRecordInput!) { shipmentRecord(input: $input) "
        "{ shipment { id } rejected errors { code } } }",
        expect(DENIED, admin=OK, distributor=OK),
        lambda w: {
            "input": {
                "distributorId": w.ids["distributor"],
                "storeId": w.ids["store_a"],
                "productId": w.ids["product"],
                "serials": [f"UNIT-{next(_phones):08d}"],
                "idempotencyKey": f"k-{next(_phones)}",
            }
        },
    ),
    "diversionAlertResolve": Row(
        "mutation($id: ID!) { diversionAlertResolve(id: $id, confirmed: true) "
        "{ alert { id status } errors { code } } }",
        expect(DENIED, admin=OK),
        lambda w: {"id": w.ids["alert"]},
        prepare=_an_alert_against_the_distributor,
    ),
    # Call-back tasks
    "callbackTasks": Row(
        "{ callbackTasks { edges { node { id } } } }",
        expect(DENIED, clerk=OK, manager=OK, other_clerk=HIDDEN, admin=OK),
        seen=_edges_include("task"),
        prepare=_a_task_at_a_today,
    ),
    "messages": Row(
        "{ messages { edges { node { id } } } }",
        expect(DENIED, admin=OK),
        seen=_edges_include("message"),
        prepare=_a_message_queued,
    ),
    "callbackEffect": Row(
        '{ callbackEffect(from: "2026-01-01", to: "2026-01-31") { tasks } }',
        expect(DENIED, admin=OK),
    ),
    # Another store's clerk is told NOT_FOUND: that task's existence is not theirs to know.
    "callbackTaskComplete": Row(
        "mutation($id: ID!) { callbackTaskComplete(id: $id, outcome: REACHED) "
        "{ task { id } errors { code } } }",
        expect(DENIED, clerk=OK, manager=OK, other_clerk=HIDDEN),
        lambda w: {"id": w.ids["task"]},
        prepare=_a_task_at_a_today,
    ),
    "callbackTasksGenerate": Row(
        'mutation { callbackTasksGenerate(day: "2026-01-01") { created errors { code } } }',
        expect(DENIED, admin=OK),
    ),
    # Subscriptions
    "diversionAlertRaised": Row(
        "subscription { diversionAlertRaised { id kind } }",
        expect(DENIED, admin=OK),
        trigger=_a_counter_sale_with_an_unknown_code,
        event=_a_counter_sale_with_an_unknown_code,
        at_event=expect(OK),
    ),
    # At event time: A's own offer ends (WITHDRAWN, shown to whoever follows A's offers).
    "orderOffers": Row(
        "subscription($s: ID) { orderOffers(storeId: $s) { kind order { id } } }",
        expect(DENIED, clerk=OK, manager=OK, admin=OK),
        lambda w: {"s": w.ids["store_a"]},
        event=_declined_by_a,
        at_event=expect(OK),
    ),
    "ordersUnassigned": Row(
        "subscription { ordersUnassigned { id } }",
        expect(DENIED, admin=OK),
        trigger=_an_order_nobody_serves,
        event=_an_order_nobody_serves,
        at_event=expect(OK),
    ),
    # At event time: A declined, so A's staff may no longer see the order (``order`` answers
    # them null): the stream says NOT_FOUND and ends, as a new subscription would.
    "orderUpdated": Row(
        "subscription($id: ID!) { orderUpdated(id: $id) { id status store { id } } }",
        expect(HIDDEN, anonymous=DENIED, member=OK, clerk=OK, manager=OK, admin=OK),
        order_id,
        event=_declined_by_a,
        at_event=expect(OK, clerk=HIDDEN, manager=HIDDEN),
    ),
}


def served_operations(schema: Any) -> set[str]:
    graphql_schema = schema._schema
    roots = (
        graphql_schema.query_type,
        graphql_schema.mutation_type,
        graphql_schema.subscription_type,
    )
    return {name for root in roots if root is not None for name in root.fields}


def test_every_served_operation_has_a_row(schema):
    served = served_operations(schema)
    assert sorted(served - ROWS.keys()) == [], "operations without a row in the matrix"
    assert sorted(ROWS.keys() - served) == [], "rows for operations the schema no longer has"


def classify(result: Any, name: str, row: Row, world: World) -> str:
    if result.errors:
        codes = {(e.extensions or {}).get("code") for e in result.errors}
        if codes & {"UNAUTHENTICATED", "FORBIDDEN"}:
            return DENIED
        if codes == {"NOT_FOUND"}:
            return HIDDEN
        raise AssertionError(f"{name}: unexpected errors {result.errors}")
    data = result.data[name]
    if data is None:
        return HIDDEN
    if isinstance(data, dict) and data.get("errors"):
        return HIDDEN if data["errors"][0]["code"] == "NOT_FOUND" else REFUSED
    if row.seen is not None and not row.seen(data, world):
        return HIDDEN
    return OK


async def _context_of(gql: Any, world: World, caller: str) -> Context:
    principal = world.principals[caller]
    token = gql.services.tokens.issue(principal) if principal is not None else None
    return await Context.for_checked_token(gql.services, token)


async def outcome_of(gql: Any, name: str, row: Row, world: World, caller: str) -> str:
    context = await _context_of(gql, world, caller)
    variables = row.variables(world)
    if not row.document.lstrip().startswith("subscription"):
        result = await gql.schema.execute(row.document, variables, context_value=context)
        return classify(result, name, row, world)
    bus = gql.services.bus
    before = bus.subscriber_count
    stream = await gql.schema.subscribe(row.document, variables, context_value=context)
    if not hasattr(stream, "__anext__"):
        return classify(stream, name, row, world)
    first = asyncio.ensure_future(anext(stream))
    try:
        if row.trigger is not None:

            async def started() -> bool:
                return first.done() or bus.subscriber_count > before

            await poll(started, timeout=5)
            if not first.done():
                await row.trigger(world)
        return classify(await asyncio.wait_for(first, 5), name, row, world)
    finally:
        await stream.aclose()


async def outcome_at_event(gql: Any, name: str, row: Row, world: World, caller: str) -> str:
    """The subscription's first answer (OK), then ``row.event``: what the next one shows."""
    assert row.event is not None
    variables = row.variables(world)
    context = await _context_of(gql, world, caller)
    bus = gql.services.bus
    before = bus.subscriber_count
    stream = await gql.schema.subscribe(row.document, variables, context_value=context)
    try:
        first = asyncio.ensure_future(anext(stream))
        if row.trigger is not None:

            async def started() -> bool:
                return first.done() or bus.subscriber_count > before

            await poll(started, timeout=5)
            if not first.done():
                await row.trigger(world)
        assert classify(await asyncio.wait_for(first, 5), name, row, world) == OK
        await row.event(world)
        try:
            after = await asyncio.wait_for(anext(stream), 5)
        except StopAsyncIteration:
            return HIDDEN
        return classify(after, name, row, world)
    finally:
        await stream.aclose()


CASES = [(name, caller) for name in ROWS for caller in CALLERS]


@pytest.mark.parametrize(("name", "caller"), CASES, ids=[f"{n}-{c}" for n, c in CASES])
async def test_matrix(gql, dispatch, name, caller):
    row = ROWS[name]
    world = await build_world(dispatch)
    world.extra["gql"] = gql
    if row.prepare is not None:
        await row.prepare(world)
    assert await outcome_of(gql, name, row, world, caller) == row.expect[caller]


EVENT_CASES = [
    (name, caller)
    for name, row in ROWS.items()
    if row.at_event is not None
    for caller in CALLERS
    if row.expect[caller] == OK
]


@pytest.mark.parametrize(("name", "caller"), EVENT_CASES, ids=[f"{n}-{c}" for n, c in EVENT_CASES])
async def test_matrix_at_event_time(gql, dispatch, name, caller):
    """Subscriptions check what the caller may see again at every event, not only at the
    start: the outcome of the event after ``row.event``, for callers the start let in."""
    row = ROWS[name]
    assert row.at_event is not None
    world = await build_world(dispatch)
    world.extra["gql"] = gql
    if row.prepare is not None:
        await row.prepare(world)
    assert await outcome_at_event(gql, name, row, world, caller) == row.at_event[caller]


def test_every_subscription_is_checked_at_event_time(schema):
    subscriptions = set(schema._schema.subscription_type.fields)
    assert sorted(n for n in subscriptions if ROWS[n].at_event is None) == []

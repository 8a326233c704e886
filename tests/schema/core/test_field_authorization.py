"""Object fields x every kind of caller x what the caller reads, through every root they can use.

The root matrix (``test_authorization_matrix``) says who may call each operation; this table
says what the objects those operations return show each caller. The world is the matrix's
(stores A and B, a member M at home in A with a PENDING order O offered to A, ...) plus:
three sales at A (a points entry, an ISSUED voucher, a REDEEMED one, M now LOYAL) and a
second order D of M's that A declined, now offered to B.

A row names a field (``Type.field``, or ``Type.field/variant``), the object it is read on
(``target``), a selection aliased ``f`` and ``seen``: whether the answer holds the world's
datum. Every route (root operation and path) that hands the caller the target is run; which
routes do is pinned in ``REACH``, and the field must read the same through each of them:

- OK: the datum; HIDDEN: null, empty, or without the datum; DENIED: an auth error;
- UNREACHED: no route hands this caller the object (the root matrix pins why).

``test_every_field_with_a_resolver_has_a_row`` reads the served schema: a field with its own
resolver, or any field of a type carrying personal data (``PERSONAL``), fails the build
without a row here or a line in ``PUBLIC`` saying why it needs none.

Routes left out: tokenCreate and memberRegister hand back the caller's own account (proved
by its password, or just made; a request without a token reads a Member's lists empty);
pointsRedeem, activityCheckIn, pointsLeaderboard and the subscriptions return these types
through the same resolvers as the routes here, for callers the root matrix already pins.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from graphql import GraphQLObjectType
from strawberry.types.field import StrawberryField

from domain import loyalty, orders
from domain.crm.models import Baby
from domain.loyalty.models import TierChange
from domain.orders.models import OrderOffer
from domain.people.models import Member as MemberModel
from domain.stores.lines import Line
from schema.core.context import Context
from schema.core.relay import to_global_id
from tests import factories
from tests.orders_helpers import place
from tests.schema.core.test_authorization_matrix import (
    CALLERS,
    DENIED,
    HIDDEN,
    OK,
    World,
    build_world,
    expect,
    served_operations,
)

UNREACHED = "unreached"
_keys = itertools.count(1)
SEL = "__SEL__"
Pick = Callable[[dict[str, Any], str], Any]


async def build_field_world(dispatch: Any) -> World:
    world = await build_world(dispatch)
    clerk = world.principals["clerk"]
    assert clerk is not None
    member_pk = world.extra["member_pk"]
    pack = await factories.product(member_pack=True)
    sale = await loyalty.record_purchase(
        clerk, dispatch.now(), member_id=member_pk, lines=[Line(pack.id, 12)], key="fields-1"
    )
    issued, redeemed = sale.vouchers
    free = await factories.product("0.01")  # worth no points
    for n in (2, 3):  # three purchases: LOYAL, which more purchases (routes below) keep
        await loyalty.record_purchase(
            clerk, dispatch.now(), member_id=member_pk, lines=[Line(free.id, 1)], key=f"f-{n}"
        )
    await loyalty.redeem_voucher(clerk, dispatch.now(), voucher_id=redeemed.id, member_id=member_pk)
    assert await TierChange.exists(member_id=member_pk)
    member = await MemberModel.get(id=member_pk)
    (offer,) = await OrderOffer.filter(order_id=world.extra["order_pk"])

    member_principal = world.principals["member"]
    assert member_principal is not None
    moved = await place(dispatch, member_principal, await factories.product())
    await orders.decline_order(dispatch, clerk, moved.order.id, "Freezer broken")
    declined, moving = await OrderOffer.filter(order_id=moved.order.id).order_by("id")
    assert (declined.store_id, moving.store_id) == (world.store_a.id, world.store_b.id)

    staff = await factories.staff(world.store_a)  # a second clerk of A, whose phone is read
    # What M told A's clerk at sign-up: a birthday, a baby; the clerk registered M.
    await MemberModel.filter(id=member_pk).update(
        birthday=date(1992, 3, 4), registered_by_id=clerk.user_id
    )
    await Baby.create(member_id=member_pk, name="Dou", birthday=date(2025, 6, 1))
    world.ids |= {
        "entry": to_global_id("PointsEntry", sale.entry.id),
        "voucher_issued": to_global_id("Voucher", issued.id),
        "voucher_redeemed": to_global_id("Voucher", redeemed.id),
        "offer": to_global_id("OrderOffer", offer.id),
        "moved_order": to_global_id("Order", moved.order.id),
        "declined_offer": to_global_id("OrderOffer", declined.id),
        "moving_offer": to_global_id("OrderOffer", moving.id),
        "colleague": to_global_id("Staff", staff.id),
        "free": to_global_id("Product", free.id),
    }
    assert member.tier.value == "LOYAL"
    world.extra |= {
        "balance": member.points_balance,
        "tier": member.tier.value,
        "colleague_phone": staff.phone,
    }
    return world


# Routes: a document with SEL where the field goes, and where the target sits in the answer.


def at(*path: str) -> Pick:
    def pick(data: dict[str, Any], _target: str) -> Any:
        value: Any = data
        for key in path:
            if value is None:
                return None
            value = value[key]
        return value

    return pick


def in_edges(*path: str) -> Pick:
    connection = at(*path)

    def pick(data: dict[str, Any], target: str) -> Any:
        found = connection(data, target)
        nodes = [e["node"] for e in found["edges"]] if found else []
        return next((n for n in nodes if n["id"] == target), None)

    return pick


@dataclass(frozen=True)
class Route:
    document: str
    pick: Pick


MEMBER_ROUTES = {
    "viewer": Route(f"{{ viewer {{ member {{ id {SEL} }} }} }}", at("viewer", "member")),
    "member": Route(f"query($id: ID!) {{ member(id: $id) {{ id {SEL} }} }}", at("member")),
    "node": Route(
        f"query($id: ID!) {{ node(id: $id) {{ id ... on Member {{ {SEL} }} }} }}", at("node")
    ),
    "members": Route(
        f"{{ members(first: 100) {{ edges {{ node {{ id {SEL} }} }} }} }}", in_edges("members")
    ),
    "memberByPhone": Route(
        f"query($p: String!) {{ memberByPhone(phone: $p) {{ id {SEL} }} }}", at("memberByPhone")
    ),
    "order.member": Route(
        f"query($o: ID!) {{ order(id: $o) {{ member {{ id {SEL} }} }} }}", at("order", "member")
    ),
    # A sale at the caller's counter, of a product worth no points: the balance stays.
    "purchaseRecord.member": Route(
        "mutation($m: ID!, $free: ID!, $k: String!) { purchaseRecord(input: {memberId: $m, "
        "lines: [{productId: $free, quantity: 1}], idempotencyKey: $k}) "
        f"{{ member {{ id {SEL} }} }} }}",
        at("purchaseRecord", "member"),
    ),
}
ORDER_ROUTES = {
    "order": Route(f"query($id: ID!) {{ order(id: $id) {{ id {SEL} }} }}", at("order")),
    "node": Route(
        f"query($id: ID!) {{ node(id: $id) {{ id ... on Order {{ {SEL} }} }} }}", at("node")
    ),
    "orders": Route(
        f"{{ orders(first: 100) {{ edges {{ node {{ id {SEL} }} }} }} }}", in_edges("orders")
    ),
    "member.orders": Route(
        f"query($m: ID!) {{ member(id: $m) {{ orders(first: 100) "
        f"{{ edges {{ node {{ id {SEL} }} }} }} }} }}",
        in_edges("member", "orders"),
    ),
    "memberByPhone.orders": Route(
        f"query($p: String!) {{ memberByPhone(phone: $p) {{ orders(first: 100) "
        f"{{ edges {{ node {{ id {SEL} }} }} }} }} }}",
        in_edges("memberByPhone", "orders"),
    ),
}
STAFF_ROUTES = {
    "viewer": Route(f"{{ viewer {{ staff {{ id {SEL} }} }} }}", at("viewer", "staff")),
    "node": Route(
        f"query($id: ID!) {{ node(id: $id) {{ id ... on Staff {{ {SEL} }} }} }}", at("node")
    ),
}
ROUTES = {"Member": MEMBER_ROUTES, "Order": ORDER_ROUTES, "Staff": STAFF_ROUTES}

# Which routes hand each caller each target (the other callers: none).
A_STAFF_AND_ADMIN = {"clerk", "manager", "admin"}
REACH: dict[str, dict[str, set[str]]] = {
    "member": {
        "viewer": {"member"},
        "member": {"member"} | A_STAFF_AND_ADMIN,
        "node": {"member"} | A_STAFF_AND_ADMIN,
        "members": A_STAFF_AND_ADMIN,
        # Staff of any store find a member at their counter.
        "memberByPhone": A_STAFF_AND_ADMIN | {"other_clerk"},
        "order.member": {"member"} | A_STAFF_AND_ADMIN,
        "purchaseRecord.member": {"clerk", "manager", "other_clerk"},
    },
    "order": {
        "order": {"member"} | A_STAFF_AND_ADMIN,
        "node": {"member"} | A_STAFF_AND_ADMIN,
        "orders": {"member"} | A_STAFF_AND_ADMIN,
        "member.orders": {"member"} | A_STAFF_AND_ADMIN,
        # B's clerk finds M by phone, but an order of A's is not theirs to read.
        "memberByPhone.orders": A_STAFF_AND_ADMIN,
    },
    "moved_order": {
        "order": {"member", "other_clerk", "admin"},
        "node": {"member", "other_clerk", "admin"},
        "orders": {"member", "other_clerk", "admin"},
        "member.orders": {"member", "admin"},
        "memberByPhone.orders": {"other_clerk", "admin"},
    },
    # A's second clerk, seen by A's staff (and read by no one else).
    "colleague": {"viewer": set(), "node": A_STAFF_AND_ADMIN},
    # The clerk reads their own account.
    "clerk": {"viewer": {"clerk"}, "node": A_STAFF_AND_ADMIN},
}
TARGET_TYPE = {
    "member": "Member",
    "order": "Order",
    "moved_order": "Order",
    "colleague": "Staff",
    "clerk": "Staff",
}

Seen = Callable[[Any, World], bool]


def is_(key: str) -> Seen:
    """The value is the world's object ``key`` (an object with an id)."""
    return lambda value, world: value is not None and value["id"] == world.ids[key]


def holds(key: str) -> Seen:
    """A list, or a connection, includes the world's object ``key``."""

    def seen(value: Any, world: World) -> bool:
        if isinstance(value, dict):
            value = [e["node"] for e in value["edges"]]
        return any(item["id"] == world.ids[key] for item in value or [])

    return seen


def equals(read: Callable[[World], Any]) -> Seen:
    return lambda value, world: value == read(world)


@dataclass(frozen=True)
class Row:
    target: str
    selection: str
    seen: Seen
    expect: dict[str, str]


# Who may reach each target at all; the rest are UNREACHED.
MEMBER_READERS = expect(OK, anonymous=UNREACHED, other_member=UNREACHED, distributor=UNREACHED)
ORDER_READERS = expect(
    OK, anonymous=UNREACHED, other_member=UNREACHED, other_clerk=UNREACHED, distributor=UNREACHED
)
MOVED_ORDER_READERS = expect(UNREACHED, member=OK, other_clerk=OK, admin=OK)
STAFF_READERS = expect(UNREACHED, clerk=OK, manager=OK, admin=OK)
# Reached by B's clerk through memberByPhone, but A's history is not theirs.
MEMBER_HISTORY = MEMBER_READERS | {"other_clerk": HIDDEN}

ROWS: dict[str, Row] = {
    # Member: personal data that the counter needs, whichever store's it is.
    "Member.phone": Row("member", "f: phone", equals(lambda w: w.member_phone), MEMBER_READERS),
    "Member.pointsBalance": Row(
        "member", "f: pointsBalance", equals(lambda w: w.extra["balance"]), MEMBER_READERS
    ),
    "Member.tier": Row("member", "f: tier", equals(lambda w: w.extra["tier"]), MEMBER_READERS),
    "Member.homeStore": Row("member", "f: homeStore { id }", is_("store_a"), MEMBER_READERS),
    # Any store's counter hands over an ISSUED pack (voucherRedeem), so it lists them.
    "Member.vouchers": Row(
        "member", "f: vouchers(status: ISSUED) { id }", holds("voucher_issued"), MEMBER_READERS
    ),
    # Member: the history, for the member, their home store's staff and admins only.
    "Member.vouchers/redeemed": Row(
        "member", "f: vouchers { id }", holds("voucher_redeemed"), MEMBER_HISTORY
    ),
    "Member.pointsHistory": Row(
        "member",
        "f: pointsHistory(first: 100) { edges { node { id } } }",
        holds("entry"),
        MEMBER_HISTORY,
    ),
    "Member.tierHistory": Row(
        "member", "f: tierHistory { tier }", lambda v, _w: bool(v), MEMBER_HISTORY
    ),
    "Member.orders": Row(
        "member", "f: orders(first: 100) { edges { node { id } } }", holds("order"), MEMBER_HISTORY
    ),
    # What the member told their home store about their family: theirs, the store's, admins'.
    "Member.birthday": Row(
        "member", "f: birthday", equals(lambda _w: "1992-03-04"), MEMBER_HISTORY
    ),
    "Member.babies": Row(
        "member", "f: babies { name }", equals(lambda _w: [{"name": "Dou"}]), MEMBER_HISTORY
    ),
    # The clerk who signed M up: a colleague of A's staff (the member is not handed staff).
    "Member.registeredBy": Row(
        "member", "f: registeredBy { id }", is_("clerk"), MEMBER_HISTORY | {"member": HIDDEN}
    ),
    # Order: the customer, the address and the lines, for whoever serves or placed it.
    "Order.member": Row("order", "f: member { id }", is_("member"), ORDER_READERS),
    "Order.deliveryAddress": Row(
        "order", "f: deliveryAddress", equals(lambda _w: "1 Customer Road"), ORDER_READERS
    ),
    "Order.items": Row(
        "order",
        "f: items { quantity product { id } }",
        lambda v, w: [i["product"]["id"] for i in v] == [w.ids["product"]],
        ORDER_READERS,
    ),
    "Order.store": Row("order", "f: store { id }", is_("store_a"), ORDER_READERS),
    "Order.currentOffer": Row("order", "f: currentOffer { id }", is_("offer"), ORDER_READERS),
    "Order.offers": Row("order", "f: offers { id }", holds("offer"), ORDER_READERS),
    # Routing history: the member sees every store's answer; staff only their own store's.
    "Order.offers/declined-elsewhere": Row(
        "moved_order",
        "f: offers { id reason }",
        holds("declined_offer"),
        MOVED_ORDER_READERS | {"other_clerk": HIDDEN},
    ),
    "Order.currentOffer/moved": Row(
        "moved_order", "f: currentOffer { id }", is_("moving_offer"), MOVED_ORDER_READERS
    ),
    # Staff: a colleague's phone is for their store's staff.
    "Staff.phone": Row(
        "colleague", "f: phone", equals(lambda w: w.extra["colleague_phone"]), STAFF_READERS
    ),
    "Staff.store": Row("clerk", "f: store { id }", is_("store_a"), STAFF_READERS),
}

# Types whose every field is personal: each needs a row, or a reason here.
PERSONAL = ("Member", "Order", "Staff")
_WITH_PARENT = "read by whoever reaches the object; REACH pins who does"
_CATALOGUE = "a public catalogue object (products, rewards); the parent's row gates it"
_STORE = "a public Store (as the stores root lists); the parent's row gates it"
_CHANNEL = "the distributor whose row the caller already reached (alerts, shipments: own only)"
PUBLIC: dict[str, str] = {
    **{f"Member.{f}": _WITH_PARENT for f in ("id", "name", "joinedAt", "source")},
    **{
        f"Order.{f}": _WITH_PARENT
        for f in ("id", "number", "status", "total", "deliveryLocation", "placedAt", "acceptedAt")
    },
    **{f"Staff.{f}": _WITH_PARENT for f in ("id", "name", "role")},
    "OrderItem.product": _CATALOGUE,
    "Voucher.product": _CATALOGUE,
    "PointsEntry.reward": _CATALOGUE,
    "Campaign.products": _CATALOGUE,
    "Campaign.stores": _STORE,
    "OrderOffer.store": _STORE,
    "PointsEntry.store": _STORE,
    "Voucher.redeemedStore": _STORE,
    # The channel's objects are reached only through its roots (admins; a distributor its own),
    # which the root matrix pins; what they link to is the catalogue, stores, or the
    # distributor the caller already reached.
    "Distributor.territory": _STORE,
    "DiversionAlert.product": _CATALOGUE,
    "DiversionAlert.shippedTo": _STORE,
    "DiversionAlert.soldAt": _STORE,
    "DiversionAlert.distributor": _CHANNEL,
    "Shipment.product": _CATALOGUE,
    "Shipment.store": _STORE,
    "Shipment.distributor": _CHANNEL,
    "Voucher.store": _STORE,
    # Call-back tasks reach only their store's staff and admins (callbackTasks, node,
    # callbackTaskComplete: the root matrix pins them); the outbox and the effect, admins.
    "CallbackTask.store": _STORE,
    "CallbackTask.member": "the member to call, for the task's store and admins (root matrix)",
    "CallbackTask.doneBy": "a colleague of the task's store, or read by an admin (root matrix)",
    "Message.member": "the outbox is for admins only (root matrix)",
    "CallbackEffect.store": _STORE,
    "Viewer.distributor": "the caller's own distributor account (None for any other role)",
}


def guarded_fields(schema: Any) -> set[str]:
    """Every field with its own resolver, and every field of a PERSONAL type."""
    graphql_schema = schema._schema
    roots = {t.name for t in served_roots(graphql_schema)}
    found: set[str] = set()
    for type_ in graphql_schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        if type_.name in roots:
            continue
        for name, field in type_.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            resolved = isinstance(definition, StrawberryField) and (
                definition.base_resolver is not None
            )
            if resolved or type_.name in PERSONAL:
                found.add(f"{type_.name}.{name}")
    return found


def served_roots(graphql_schema: Any) -> list[Any]:
    roots = (
        graphql_schema.query_type,
        graphql_schema.mutation_type,
        graphql_schema.subscription_type,
    )
    return [root for root in roots if root is not None]


def test_every_field_with_a_resolver_has_a_row(schema):
    assert served_operations(schema)  # the same schema the root matrix reads
    guarded = guarded_fields(schema)
    covered = {key.split("/")[0] for key in ROWS} | PUBLIC.keys()
    assert sorted(guarded - covered) == [], "fields without a row (or a reason in PUBLIC)"
    assert sorted(covered - guarded) == [], "rows or reasons for fields the schema lacks"
    assert not {key.split("/")[0] for key in ROWS} & PUBLIC.keys(), "a row and a reason"


def test_every_route_is_pinned():
    for target, type_name in TARGET_TYPE.items():
        assert REACH[target].keys() == ROUTES[type_name].keys(), target
    for row in ROWS.values():
        assert row.target in TARGET_TYPE
        assert row.selection.startswith("f: ")


async def _run(gql: Any, world: World, caller: str, document: str, target: str) -> Any:
    """``document`` as ``caller``; each route names its target ``$id``, M ``$m`` or ``$p``
    and the order O ``$o`` (variables a document does not declare are ignored)."""
    principal = world.principals[caller]
    token = gql.services.tokens.issue(principal) if principal is not None else None
    context = await Context.for_checked_token(gql.services, token)
    variables = {"id": target, "p": world.member_phone, "k": f"fields-{next(_keys)}"}
    variables |= {k: world.ids[v] for k, v in (("m", "member"), ("o", "order"), ("free", "free"))}
    return await gql.schema.execute(document, variables, context_value=context)


def _auth_error(result: Any, what: str) -> bool:
    """Whether the errors are the caller's refusal; anything else fails the test."""
    if not result.errors:
        return False
    codes = {(e.extensions or {}).get("code") for e in result.errors}
    if codes <= {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"}:
        return True
    raise AssertionError(f"{what}: unexpected errors {result.errors}")


async def read_field(gql: Any, world: World, caller: str, key: str, row: Row) -> str:
    target = world.ids[row.target]
    outcomes: dict[str, str] = {}
    for route_name, route in ROUTES[TARGET_TYPE[row.target]].items():
        result = await _run(gql, world, caller, route.document.replace(SEL, "__typename"), target)
        parent = None if _auth_error(result, route_name) else route.pick(result.data, target)
        reached = parent is not None and parent["id"] == target
        assert reached == (caller in REACH[row.target][route_name]), (
            f"{row.target} via {route_name}: reached={reached}"
        )
        if not reached:
            continue
        document = route.document.replace(SEL, row.selection)
        result = await _run(gql, world, caller, document, target)
        if _auth_error(result, f"{key} via {route_name}"):
            outcomes[route_name] = DENIED
            continue
        parent = route.pick(result.data, target)
        assert parent is not None, f"{key} via {route_name}: the object went missing"
        outcomes[route_name] = OK if row.seen(parent["f"], world) else HIDDEN
    if not outcomes:
        return UNREACHED
    assert len(set(outcomes.values())) == 1, f"{key} reads differently by route: {outcomes}"
    return next(iter(outcomes.values()))


CASES = [(key, caller) for key in ROWS for caller in CALLERS]


@pytest.mark.parametrize(("key", "caller"), CASES, ids=[f"{k}-{c}" for k, c in CASES])
async def test_fields(gql, dispatch, key, caller):
    row = ROWS[key]
    world = await build_field_world(dispatch)
    assert await read_field(gql, world, caller, key, row) == row.expect[caller]

"""Writing a new order, its items and its first offer; and the re-offers of expired ones.

On PostgreSQL it is one statement (data-modifying CTEs): one round trip instead of five
(BEGIN, three INSERTs, COMMIT) on the path every order takes, and atomic as a statement is.
Elsewhere (the embedded SQLite) it is the same rows through the ORM in a transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tortoise import timezone
from tortoise.transactions import in_transaction

from domain.enums import OfferStatus
from domain.orders import states
from domain.orders.models import Order, OrderItem, OrderOffer

Item = tuple[int, int, Decimal]  # product id, quantity, unit price

INSERT_ORDER = """
WITH new_order AS (
    INSERT INTO "orders" ("number", "member_id", "store_id", "status", "total",
        "delivery_address", "delivery_latitude", "delivery_longitude", "idempotency_key",
        "placed_at")
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    RETURNING "id"
), new_items AS (
    INSERT INTO "order_item" ("order_id", "product_id", "quantity", "unit_price")
    SELECT new_order."id", item.product, item.quantity, item.price
    FROM new_order, unnest($11::bigint[], $12::int[], $13::numeric[])
        AS item(product, quantity, price)
), new_offer AS (
    INSERT INTO "order_offer" ("order_id", "store_id", "status", "offered_at", "expires_at")
    SELECT new_order."id", $3, $14, $15, $16 FROM new_order WHERE $17
    RETURNING "id"
)
SELECT (SELECT "id" FROM new_order) AS order_id, (SELECT "id" FROM new_offer) AS offer_id
"""


async def _write_offers(
    pairs: list[tuple[int, int]], offered_at: datetime, expires_at: datetime
) -> list[OrderOffer]:
    """Insert a PENDING offer for each ``(order id, store id)``; read back by order (each
    order has one pending offer)."""
    await OrderOffer.bulk_create(
        [
            OrderOffer(order_id=o, store_id=s, offered_at=offered_at, expires_at=expires_at)
            for o, s in pairs
        ]
    )
    orders = [o for o, _ in pairs]
    return await OrderOffer.filter(order_id__in=orders, status=OfferStatus.PENDING)


async def write_order(order: Order, items: list[Item], offer: OrderOffer | None) -> None:
    """Insert the unsaved ``order``, its ``items`` and ``offer`` (for ``order.store_id``);
    the models get their ids. Raises tortoise's ``IntegrityError`` on a repeated key."""
    order.placed_at = timezone.now()
    client = Order._meta.db
    if client.capabilities.dialect != "postgres":
        await _write_with_orm(order, items, offer)
        return
    _, rows = await client.execute_query(INSERT_ORDER, _values(order, items, offer))
    order.id = rows[0]["order_id"]
    order._saved_in_db = True
    if offer is not None:
        offer.id, offer.order_id = rows[0]["offer_id"], order.id
        offer._saved_in_db = True


def _values(order: Order, items: list[Item], offer: OrderOffer | None) -> list[object]:
    return [
        order.number,
        order.member_id,
        order.store_id,
        order.status.value,
        order.total,
        order.delivery_address,
        order.delivery_latitude,
        order.delivery_longitude,
        order.idempotency_key,
        order.placed_at,
        [p for p, _, _ in items],
        [q for _, q, _ in items],
        [u for _, _, u in items],
        offer.status.value if offer else None,
        offer.offered_at if offer else None,
        offer.expires_at if offer else None,
        offer is not None,
    ]


async def _write_with_orm(order: Order, items: list[Item], offer: OrderOffer | None) -> None:
    async with in_transaction():
        await order.save()
        await OrderItem.bulk_create(
            [
                OrderItem(order_id=order.id, product_id=p, quantity=q, unit_price=u)
                for p, q, u in items
            ]
        )
        if offer is not None:
            offer.order_id = order.id
            await offer.save()


# Nothing changes unless every offer is still PENDING and every order where its move starts;
# the locks are taken offers first, orders second, as an accept takes them.
EXPIRE_AND_ROUTE = """
WITH due AS (
    SELECT "id", "order_id" FROM "order_offer"
    WHERE "id" = ANY($1::bigint[]) AND "status" = $2
    FOR UPDATE
), moves AS (
    SELECT * FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::text[])
        AS move(order_id, status, store_id, sources)
), movable AS (
    SELECT o."id" FROM "orders" AS o JOIN moves ON moves.order_id = o."id"
    WHERE o."id" IN (SELECT "order_id" FROM due)
        AND o."status" = ANY(string_to_array(moves.sources, ','))
    FOR UPDATE OF o
), ready AS (
    SELECT (SELECT count(*) FROM due) = $7 AND (SELECT count(*) FROM movable) = $7 AS ok
), ended AS (
    UPDATE "order_offer" SET "status" = $8, "responded_at" = $9
    WHERE "id" IN (SELECT "id" FROM due) AND (SELECT ok FROM ready)
), routed AS (
    UPDATE "orders" AS o SET "status" = moves.status, "store_id" = moves.store_id
    FROM moves WHERE o."id" = moves.order_id AND (SELECT ok FROM ready)
), offered AS (
    INSERT INTO "order_offer" ("order_id", "store_id", "status", "offered_at", "expires_at")
    SELECT moves.order_id, moves.store_id, $2, $9, $10 FROM moves
    WHERE moves.store_id IS NOT NULL AND (SELECT ok FROM ready)
    RETURNING "id", "order_id"
)
SELECT (SELECT ok FROM ready) AS ok, offered."id", offered."order_id"
FROM (SELECT 1) AS one LEFT JOIN offered ON true
"""


class _Moved(Exception):
    """An offer or order moved on meanwhile: undo the batch."""


async def expire_and_route(
    offer_ids: list[int],
    routes: list[tuple[Order, int | None]],
    at: datetime,
    expires_at: datetime,
) -> list[OrderOffer] | None:
    """Expire the PENDING offers ``offer_ids`` (one for each order of ``routes``, in order),
    move each order to its store or to none (``states.route_each``), and offer each routed
    order to its store: all of it or, when any offer or order moved on meanwhile, nothing
    (None). The new offers; the loaded orders show their moves.

    On PostgreSQL it is one statement, so a batch of expiries costs one round trip instead of
    six (BEGIN, end, lock, move, offer, COMMIT).
    """
    if Order._meta.db.capabilities.dialect != "postgres":
        return await _expire_and_route_with_orm(offer_ids, routes, at, expires_at)
    params = [
        offer_ids,
        OfferStatus.PENDING.value,
        *states.route_values(routes),
        len(offer_ids),
        OfferStatus.EXPIRED.value,
        at,
        expires_at,
    ]
    rows = await Order._meta.db.execute_query_dict(EXPIRE_AND_ROUTE, params)
    if not rows or not rows[0]["ok"]:
        return None
    states.routed(routes)
    store_of = {order.id: store for order, store in routes}
    return [
        OrderOffer._init_from_db(
            id=row["id"],
            order_id=row["order_id"],
            store_id=store_of[row["order_id"]],
            status=OfferStatus.PENDING,
            offered_at=at,
            expires_at=expires_at,
            responded_at=None,
            reason=None,
        )
        for row in rows
        if row["id"] is not None
    ]


async def _expire_and_route_with_orm(
    offer_ids: list[int],
    routes: list[tuple[Order, int | None]],
    at: datetime,
    expires_at: datetime,
) -> list[OrderOffer] | None:
    try:
        async with in_transaction():
            ended = await OrderOffer.filter(id__in=offer_ids, status=OfferStatus.PENDING).update(
                status=OfferStatus.EXPIRED, responded_at=at
            )
            if ended != len(offer_ids) or not await states.route_each(routes):
                raise _Moved
            pairs = [(order.id, store) for order, store in routes if store is not None]
            return await _write_offers(pairs, at, expires_at) if pairs else []
    except _Moved:
        return None

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

from domain.models import Order, OrderItem, OrderOffer
from domain.models.enums import OfferStatus

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


INSERT_OFFERS = """
INSERT INTO "order_offer" ("order_id", "store_id", "status", "offered_at", "expires_at")
SELECT offer.order_id, offer.store_id, $3, $4, $5
FROM unnest($1::bigint[], $2::bigint[]) AS offer(order_id, store_id)
RETURNING "id", "order_id"
"""


async def write_offers(
    pairs: list[tuple[int, int]], offered_at: datetime, expires_at: datetime
) -> list[OrderOffer]:
    """Insert a PENDING offer for each ``(order id, store id)``; the offers as written.

    On PostgreSQL one statement returns their ids; elsewhere the ORM inserts them and they are
    read back by order (each order has one pending offer).
    """
    client = OrderOffer._meta.db
    if client.capabilities.dialect != "postgres":
        return await _write_offers_with_orm(pairs, offered_at, expires_at)
    pending = OfferStatus.PENDING
    params = [[o for o, _ in pairs], [s for _, s in pairs], pending.value, offered_at, expires_at]
    rows = await client.execute_query_dict(INSERT_OFFERS, params)  # execute_query drops them
    store_of = dict(pairs)
    return [
        OrderOffer._init_from_db(
            id=row["id"],
            order_id=row["order_id"],
            store_id=store_of[row["order_id"]],
            status=pending,
            offered_at=offered_at,
            expires_at=expires_at,
            responded_at=None,
            reason=None,
        )
        for row in rows
    ]


async def _write_offers_with_orm(
    pairs: list[tuple[int, int]], offered_at: datetime, expires_at: datetime
) -> list[OrderOffer]:
    await OrderOffer.bulk_create(
        [
            OrderOffer(order_id=o, store_id=s, offered_at=offered_at, expires_at=expires_at)
            for o, s in pairs
        ]
    )
    orders = [o for o, _ in pairs]
    return await OrderOffer.filter(order_id__in=orders, status=OfferStatus.PENDING)


END_PENDING = """
UPDATE "order_offer" SET "status" = $1, "responded_at" = $2
WHERE "id" = ANY($3::bigint[]) AND "status" = $4
"""


async def end_pending(offer_ids: list[int], status: OfferStatus, at: datetime) -> int:
    """End those of the offers that are still PENDING; how many were."""
    client = OrderOffer._meta.db
    if client.capabilities.dialect != "postgres":
        return await OrderOffer.filter(id__in=offer_ids, status=OfferStatus.PENDING).update(
            status=status, responded_at=at
        )
    params = [status.value, at, offer_ids, OfferStatus.PENDING.value]
    ended, _ = await client.execute_query(END_PENDING, params)
    return ended


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

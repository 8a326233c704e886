"""Earning: a sale at a counter (``purchaseRecord``) or a delivered online order.

Both go through ``_earn``: lock the member, evaluate the rules on their locked state, write
the purchase, its lines, the ledger entry and any vouchers, set the home store if the
member had none, and recompute the tier, all in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.expressions import F

from domain import messagebus
from domain.crm.channel import scanning
from domain.enums import Channel, PointsEntryKind
from domain.errors import Forbidden
from domain.events import DiversionAlertRaised, PurchaseRecorded
from domain.loyalty import ledger, rules, tiers
from domain.loyalty.models import IdempotencyKey, PointsEntry, Purchase, PurchaseLine, Voucher
from domain.loyalty.policies import active_campaigns
from domain.orders.models import Order, OrderItem
from domain.people.models import Member
from domain.principal import Principal
from domain.stores.lines import Line, count_units, products_for, total_of
from domain.stores.models import Product


@dataclass(frozen=True)
class Earned:
    entry: PointsEntry
    member: Member
    vouchers: list[Voucher]
    repeated: bool = False
    # What the counter's scan found of each code the sale gave (none given: empty).
    scans: list[scanning.Scanned] = field(default_factory=list)


@dataclass(frozen=True)
class Sale:
    member_id: int
    store_id: int
    staff_id: int | None
    order_id: int | None
    note: str
    channel: Channel | None


async def record_purchase(
    actor: Principal,
    now: datetime,
    *,
    member_id: int,
    lines: list[Line],
    key: str,
    serials: Sequence[str] = (),
) -> Earned:
    """A sale at the counter of the caller's store, credited to the store and the clerk.

    ``serials``, the codes scanned from the units sold, are checked in the sale's own
    transaction (``domain.crm.channel.scanning``): a suspicious code raises an alert, never
    refuses the sale."""
    if not actor.is_staff or actor.store_id is None:
        raise Forbidden("Only staff record a sale at their counter.")
    store_id = actor.store_id
    key = ledger.clean_key(key)
    quantities = count_units(lines, "A sale")
    codes = scanning.clean(serials, quantities)
    content: dict[str, object] = {"member": member_id, "lines": sorted(quantities.items())}
    if codes:  # only then: the keys of sales without codes keep their fingerprints
        content["serials"] = codes
    scope = ledger.key_scope("purchase", actor)
    if (first := await ledger.repeat(scope, key, content)) is not None:
        return await _repeated(first, codes)
    products = await products_for(quantities)
    sale = Sale(member_id, store_id, actor.user_id, None, "counter sale", Channel.STORE)
    sale_lines = [_sale_line(products[p], q, products[p].price) for p, q in quantities.items()]
    total_of(((line.unit_price, line.quantity) for line in sale_lines), "The sale")
    scans: list[scanning.Scanned] = []
    alerts: list[DiversionAlertRaised] = []

    async def write() -> PointsEntry:
        entry = await _earn(sale, sale_lines, now)
        if codes:
            assert entry.purchase_id is not None
            found = await scanning.scan(
                codes, purchase_id=entry.purchase_id, store_id=store_id, now=now, units=quantities
            )
            scans[:], alerts[:] = found
        return entry

    applied = await ledger.once(scope, key, content, write)
    if applied.repeated:
        return await _repeated(applied.entry, codes)
    if applied.entry.purchase_id is not None:
        total = sum((line.unit_price * line.quantity for line in sale_lines), Decimal("0.00"))
        await messagebus.publish(
            PurchaseRecorded(
                applied.entry.purchase_id, member_id, store_id, actor.user_id, total, now
            ),
            *alerts,
        )
    result = await earned(applied.entry)
    return Earned(result.entry, result.member, result.vouchers, scans=scans)


async def _repeated(entry: PointsEntry, codes: list[str]) -> Earned:
    result = await earned(entry, repeated=True)
    if not codes or entry.purchase_id is None:
        return result
    scans = await scanning.scans_of(entry.purchase_id)
    return Earned(result.entry, result.member, result.vouchers, True, scans)


async def earn_for_order(order: Order, now: datetime) -> PointsEntry:
    """Credit a delivered order to its member and the accepting store; call inside the
    transaction that marks it delivered (which can happen only once)."""
    assert order.store_id is not None  # a delivered order has its accepting store
    items = await OrderItem.filter(order_id=order.id).order_by("id")
    products = {p.id: p for p in await Product.filter(id__in=[i.product_id for i in items])}
    sale_lines = [_sale_line(products[i.product_id], i.quantity, i.unit_price) for i in items]
    sale = Sale(order.member_id, order.store_id, None, order.id, f"order {order.number}", None)
    entry = await _earn(sale, sale_lines, now)  # in the caller's transaction
    await IdempotencyKey.create(
        scope="order",
        key=str(order.id),
        fingerprint=ledger.fingerprint({"order": order.id}),
        result_id=entry.id,
    )
    return entry


async def reverse_order(order_id: int, now: datetime) -> None:
    """Take back what a cancelled order earned (inside the cancelling transaction).

    Points already spent cannot be taken: the reversal stops at the balance, never below
    zero, and its note says so. Vouchers issued stay with the member.
    """
    for earning in await PointsEntry.filter(order_id=order_id, kind=PointsEntryKind.PURCHASE):
        if earning.delta <= 0 or await PointsEntry.exists(reverses_id=earning.id):
            continue
        member = await ledger.lock_member(earning.member_id)
        amount = min(earning.delta, member.points_balance)
        note = "order cancelled"
        if amount < earning.delta:
            note += f"; {earning.delta - amount} of {earning.delta} points had been spent"
        await ledger.post(
            earning.member_id,
            ledger.Draft(
                PointsEntryKind.REVERSAL,
                -amount,
                note=note,
                store_id=earning.store_id,
                order_id=order_id,
                reverses_id=earning.id,
            ),
            now,
            locked=member,
        )


async def earned(entry: PointsEntry, *, repeated: bool = False) -> Earned:
    member = await Member.get(id=entry.member_id)
    vouchers = await Voucher.filter(entry_id=entry.id).order_by("ordinal")
    return Earned(entry, member, vouchers, repeated)


async def _earn(sale: Sale, lines: list[rules.SaleLine], now: datetime) -> PointsEntry:
    """Call inside a transaction."""
    member = await ledger.lock_member(sale.member_id)
    earning = rules.evaluate(
        lines,
        rules.MemberState(member.member_pack_units),
        await active_campaigns(now),
        store_id=sale.store_id,
        at=now,
    )
    room = ledger.MAX_BALANCE - member.points_balance
    if earning.points > room:
        if sale.order_id is None:  # at the counter: the clerk hears it, nothing is written
            raise ledger.BalanceFull(member.points_balance, earning.points, "lines")
        # A delivered order must be credited, or it could never be marked delivered.
        earning = earning.capped(room)
    purchase = await _write_purchase(sale, lines, earning, now)
    also: dict[str, Any] = {}
    if earning.member_pack_units:
        also["member_pack_units"] = F("member_pack_units") + earning.member_pack_units
    if member.home_store_id is None:  # the first store the member buys from keeps them
        also["home_store_id"] = sale.store_id
    entry = await ledger.post(
        sale.member_id,
        ledger.Draft(
            PointsEntryKind.PURCHASE,
            earning.points,
            note=_note(sale.note, earning),
            store_id=sale.store_id,
            staff_id=sale.staff_id,
            channel=sale.channel,
            order_id=sale.order_id,
            purchase_id=purchase.id,
        ),
        now,
        locked=member,
        **also,
    )
    await _issue_vouchers(sale.member_id, earning, entry.id, now)
    await tiers.recompute(member, now)
    return entry


async def _write_purchase(
    sale: Sale, lines: list[rules.SaleLine], earning: rules.Earning, now: datetime
) -> Purchase:
    purchase = await Purchase.create(
        member_id=sale.member_id,
        store_id=sale.store_id,
        staff_id=sale.staff_id,
        order_id=sale.order_id,
        total=total_of(((line.unit_price, line.quantity) for line in lines), "The sale"),
        member_pack_units=earning.member_pack_units,
        created_at=now,
    )
    await PurchaseLine.bulk_create(
        [
            PurchaseLine(
                purchase_id=purchase.id,
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                points=scored.points,
            )
            for line, scored in zip(lines, earning.lines, strict=True)
        ]
    )
    return purchase


async def _issue_vouchers(
    member_id: int, earning: rules.Earning, entry_id: int, now: datetime
) -> None:
    for i, product_id in enumerate(earning.vouchers):
        await Voucher.create(
            member_id=member_id,
            ordinal=earning.first_voucher_ordinal + i,
            product_id=product_id,
            entry_id=entry_id,
            issued_at=now,
        )


def _note(base: str, earning: rules.Earning) -> str:
    campaigns = ", ".join(f"{c.name} x{c.multiplier.normalize()}" for c in earning.campaigns)
    note = f"{base}; campaign {campaigns}" if campaigns else base
    if earning.capped_from is not None:
        note += (
            f"; capped at {earning.points} of {earning.capped_from} points:"
            f" a balance holds at most {ledger.MAX_BALANCE}"
        )
    return note


def _sale_line(product: Product, quantity: int, unit_price: Decimal) -> rules.SaleLine:
    return rules.SaleLine(
        product_id=product.id,
        quantity=quantity,
        unit_price=unit_price,
        points_per_yuan=product.points_per_yuan,
        is_member_pack=product.is_member_pack,
    )

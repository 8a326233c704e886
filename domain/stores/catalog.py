"""Products and rewards."""

from __future__ import annotations

from decimal import Decimal

from tortoise.exceptions import IntegrityError

from domain import validation
from domain.errors import Duplicate
from domain.principal import Principal
from domain.stores.models import Product, Reward

MAX_POINTS_PER_YUAN = Decimal(100)


async def create_product(
    actor: Principal,
    *,
    sku: str,
    name: str,
    price: Decimal,
    is_member_pack: bool = False,
    points_per_yuan: Decimal = Decimal(1),
    days_per_unit: int | None = None,
) -> Product:
    sku = validation.code(sku, "sku")
    name = validation.text(name, "name", max_length=200)
    price = validation.money(price, "price")
    points_per_yuan = validation.rate(points_per_yuan, "pointsPerYuan", maximum=MAX_POINTS_PER_YUAN)
    if days_per_unit is not None:
        validation.whole(days_per_unit, "daysPerUnit", minimum=1, maximum=365)
    if await Product.exists(sku=sku):
        raise Duplicate("A product with this sku exists.", "sku")
    try:
        return await Product.create(
            sku=sku,
            name=name,
            price=price,
            is_member_pack=is_member_pack,
            points_per_yuan=points_per_yuan,
            days_per_unit=days_per_unit,
        )
    except IntegrityError:
        raise Duplicate("A product with this sku exists.", "sku") from None


async def create_reward(actor: Principal, *, name: str, points_cost: int) -> Reward:
    name = validation.text(name, "name", max_length=200)
    validation.whole(points_cost, "pointsCost", minimum=1, maximum=10_000_000)
    return await Reward.create(name=name, points_cost=points_cost)


async def active_products() -> list[Product]:
    return await Product.filter(active=True).order_by("id")


async def active_rewards() -> list[Reward]:
    return await Reward.filter(active=True).order_by("points_cost", "id")

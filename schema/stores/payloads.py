"""Store, product and reward payloads: the object, or the expected failures."""

from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.stores.types import Product, Reward, Store


@strawberry.type
class StorePayload:
    store: Store | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductPayload:
    product: Product | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RewardPayload:
    reward: Reward | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

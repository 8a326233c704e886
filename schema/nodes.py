"""Relay's node(id:): any object by its global id, as the caller may see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import strawberry
from tortoise.queryset import QuerySet

from domain.access.visibility import (
    visible_members,
    visible_offers,
    visible_orders,
    visible_points,
    visible_staff,
    visible_vouchers,
)
from domain.crm.channel.visibility import (
    visible_alerts,
    visible_distributors,
    visible_shipments,
)
from domain.crm.visibility import visible_messages, visible_tasks
from domain.loyalty.models import Activity as ActivityModel
from domain.loyalty.models import Campaign as CampaignModel
from domain.principal import Principal
from domain.stores.models import Product as ProductModel
from domain.stores.models import Reward as RewardModel
from domain.stores.models import Store as StoreModel
from schema.core.context import Info
from schema.core.relay import (
    Node,
    from_global_id,
)
from schema.crm.callbacks.types import CallbackTask, Message
from schema.crm.channel.types import Distributor, DiversionAlert, Shipment
from schema.loyalty.types import Activity, Campaign, PointsEntry, Voucher
from schema.orders.types import Order, OrderOffer
from schema.people.types import Member, Staff
from schema.stores.types import Product, Reward, Store


def _public(model: Any) -> Callable[[Principal | None], QuerySet[Any]]:
    return lambda _actor: model.filter(active=True)


def _private(scope: Callable[[Principal], QuerySet[Any]]) -> Callable[[Principal | None], Any]:
    return lambda actor: scope(actor) if actor is not None else None


# type name -> (the rows the caller may see, the GraphQL type)
NODES: dict[str, tuple[Callable[[Principal | None], QuerySet[Any] | None], Any]] = {
    "Store": (_public(StoreModel), Store),
    "Product": (_public(ProductModel), Product),
    "Reward": (_public(RewardModel), Reward),
    "Member": (_private(visible_members), Member),
    "Staff": (_private(visible_staff), Staff),
    "Order": (_private(visible_orders), Order),
    "OrderOffer": (_private(visible_offers), OrderOffer),
    "PointsEntry": (_private(visible_points), PointsEntry),
    "Voucher": (_private(visible_vouchers), Voucher),
    "Campaign": (lambda _actor: CampaignModel.all(), Campaign),
    "Activity": (lambda _actor: ActivityModel.all(), Activity),
    "Distributor": (_private(visible_distributors), Distributor),
    "Shipment": (_private(visible_shipments), Shipment),
    "DiversionAlert": (_private(visible_alerts), DiversionAlert),
    "CallbackTask": (_private(visible_tasks), CallbackTask),
    "Message": (_private(visible_messages), Message),
}


async def _node(info: Info, global_id: str) -> Node | None:
    parsed = from_global_id(global_id)
    if parsed is None or parsed[0] not in NODES:
        return None
    scope, graphql_type = NODES[parsed[0]]
    rows = scope(info.context.viewer())
    if rows is None:
        return None
    model = await rows.get_or_none(id=parsed[1])
    return cast(Node, graphql_type.of(model)) if model else None


@strawberry.type
class NodeQuery:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _node(info, id)

"""What each caller may read of the channel: admins everything, a distributor its own rows,
anyone else nothing (store staff see what their counter's scans found in the sale's payload)."""

from __future__ import annotations

from tortoise.queryset import QuerySet

from domain.crm.channel.models import Distributor, DiversionAlert, Shipment
from domain.principal import Principal


def visible_distributors(actor: Principal) -> QuerySet[Distributor]:
    if actor.is_admin:
        return Distributor.all()
    if actor.is_distributor:
        return Distributor.filter(id=actor.user_id)
    return Distributor.filter(id=-1)


def visible_shipments(actor: Principal) -> QuerySet[Shipment]:
    if actor.is_admin:
        return Shipment.all()
    if actor.is_distributor:
        return Shipment.filter(distributor_id=actor.user_id)
    return Shipment.filter(id=-1)


def visible_alerts(actor: Principal) -> QuerySet[DiversionAlert]:
    """Admins every alert; a distributor those against it; anyone else none."""
    if actor.is_admin:
        return DiversionAlert.all()
    if actor.is_distributor:
        return DiversionAlert.filter(distributor_id=actor.user_id)
    return DiversionAlert.filter(id=-1)

"""Diversion alerts: who sees which, and an admin's verdict on one."""

from __future__ import annotations

from datetime import datetime

from tortoise.queryset import QuerySet

from domain import validation
from domain.crm.channel.models import AlertStatus, DiversionAlert
from domain.crm.channel.visibility import visible_alerts
from domain.errors import DomainError, ErrorCode, Forbidden, NotFound
from domain.principal import Principal


def alerts(
    actor: Principal, *, status: AlertStatus | None = None, distributor_id: int | None = None
) -> QuerySet[DiversionAlert]:
    if not (actor.is_admin or actor.is_distributor):
        raise Forbidden("Admins and distributors see diversion alerts.")
    if actor.is_distributor and distributor_id not in (None, actor.user_id):
        raise Forbidden("A distributor sees only the alerts against it.")
    query = visible_alerts(actor)
    if status is not None:
        query = query.filter(status=status)
    if distributor_id is not None:
        query = query.filter(distributor_id=distributor_id)
    return query


async def resolve_alert(
    actor: Principal, now: datetime, *, alert_id: int, confirmed: bool, note: str | None
) -> DiversionAlert:
    """An admin confirms (the distributor forfeits the period's rebate) or dismisses an OPEN
    alert; the first verdict stands."""
    if not actor.is_admin:
        raise Forbidden("Only an admin resolves a diversion alert.")
    cleaned = validation.text(note, "note", max_length=500, required=False) if note else None
    status = AlertStatus.CONFIRMED if confirmed else AlertStatus.DISMISSED
    changed = await DiversionAlert.filter(id=alert_id, status=AlertStatus.OPEN).update(
        status=status, note=cleaned, resolved_at=now, resolved_by_id=actor.user_id
    )
    alert = await DiversionAlert.get_or_none(id=alert_id)
    if alert is None:
        raise NotFound("No diversion alert has this id.", "id")
    if not changed:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, f"This alert is {alert.status.value} already.", "id"
        )
    return alert

"""Diversion alerts and the period's statements."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain.crm.channel import alerts, statements
from domain.crm.channel.models import AlertStatus
from domain.errors import DomainError
from schema.core.context import Info
from schema.core.errors import bad_input, forbidden
from schema.core.permissions import IsDistributorOrAdmin, IsStaffOrAdmin
from schema.core.relay import Connection, decode_id, paginate
from schema.crm.channel.types import DistributorStatement, DiversionAlert, StoreSettlement


def _refusal(exc: DomainError) -> Exception:
    return forbidden(exc.message) if exc.code == "FORBIDDEN" else bad_input(exc.message)


@strawberry.type
class ChannelQuery:
    @strawberry.field(
        permission_classes=[IsDistributorOrAdmin],
        description="Admins: every alert; a distributor: those against it. Newest first.",
    )
    async def diversion_alerts(
        self,
        info: Info,
        status: AlertStatus | None = None,
        distributor_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[DiversionAlert]:
        actor = info.context.actor
        try:
            pk = (
                decode_id(distributor_id, "Distributor", "distributorId")
                if distributor_id
                else None
            )
            query = alerts.alerts(actor, status=status, distributor_id=pk)
        except DomainError as exc:
            raise _refusal(exc) from None
        return await paginate(query, first, after, DiversionAlert.of, descending=True)

    @strawberry.field(
        permission_classes=[IsDistributorOrAdmin],
        description=(
            "Admins: every distributor; a distributor: itself. from and to are inclusive days."
        ),
    )
    async def distributor_statements(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
    ) -> list[DistributorStatement]:
        try:
            rows = await statements.distributor_statements(info.context.actor, from_, to)
        except DomainError as exc:
            raise _refusal(exc) from None
        return [DistributorStatement.of(r) for r in rows]

    @strawberry.field(
        permission_classes=[IsStaffOrAdmin],
        description="Admins: every store; staff: their own.",
    )
    async def store_settlements(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
    ) -> list[StoreSettlement]:
        try:
            rows = await statements.store_settlements(
                info.context.actor,
                from_,
                to,
                yuan_per_point=info.context.services.settlement_yuan_per_point,
            )
        except DomainError as exc:
            raise _refusal(exc) from None
        return [StoreSettlement.of(r) for r in rows]

"""Channel payloads: the object, or the expected failures."""

from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.crm.channel.types import Distributor, DiversionAlert, Shipment


@strawberry.type
class DistributorPayload:
    distributor: Distributor | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ShipmentPayload:
    shipment: Shipment | None = None
    rejected: list[str] = strawberry.field(
        default_factory=list,
        description="Codes not recorded: shipped before, or malformed. The rest are recorded.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DiversionAlertPayload:
    alert: DiversionAlert | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

"""Channel mutations: a distributor, a shipment, an admin's verdict on an alert."""

from __future__ import annotations

import strawberry

from domain.crm.channel import alerts, distributors, shipments
from domain.errors import ErrorCode, Forbidden, NotFound
from schema.core.context import Info
from schema.core.errors import UserError, attempt, forbidden
from schema.core.permissions import IsAdmin, IsDistributorOrAdmin
from schema.core.relay import decode_id
from schema.crm.channel.inputs import DistributorCreateInput, ShipmentRecordInput
from schema.crm.channel.payloads import DistributorPayload, DiversionAlertPayload, ShipmentPayload
from schema.crm.channel.types import Distributor, DiversionAlert, Shipment


@strawberry.type
class ChannelMutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Admins: a distributor, its territory, and optionally its own sign-in.",
    )
    async def distributor_create(
        self, info: Info, input: DistributorCreateInput
    ) -> DistributorPayload:
        actor = info.context.actor
        created, errors = await attempt(
            lambda: distributors.create_distributor(
                actor,
                code=input.code,
                name=input.name,
                store_ids=[decode_id(s, "Store", "storeIds") for s in input.store_ids],
                rate=input.rebate_rate,
                phone=input.phone,
                password=input.password,
            )
        )
        return DistributorPayload(
            distributor=Distributor.of(created) if created else None, errors=errors
        )

    @strawberry.mutation(
        permission_classes=[IsDistributorOrAdmin],
        description=(
            "Admins, or the distributor itself: units shipped to a store, one code each "
            f"(at most {shipments.MAX_CODES} per call)."
        ),
    )
    async def shipment_record(self, info: Info, input: ShipmentRecordInput) -> ShipmentPayload:
        actor = info.context.actor
        now = info.context.services.dispatch.now()
        try:
            distributor_id = decode_id(input.distributor_id, "Distributor", "distributorId")
        except NotFound as exc:
            if actor.is_distributor:  # an id that is not its own, whatever it names
                raise forbidden("A distributor records only its own shipments.") from None
            return ShipmentPayload(errors=[UserError.of(exc)])
        if not distributors.may_act_for(actor, distributor_id):
            raise forbidden(Forbidden("A distributor records only its own shipments.").message)
        recorded, errors = await attempt(
            lambda: shipments.record_shipment(
                actor,
                now,
                distributor_id=distributor_id,
                store_id=decode_id(input.store_id, "Store", "storeId"),
                product_id=decode_id(input.product_id, "Product", "productId"),
                serials=input.serials,
                key=input.idempotency_key,
            )
        )
        if recorded is None:
            return ShipmentPayload(errors=errors)
        if recorded.shipment is None:
            nothing = UserError(
                code=ErrorCode.INVALID, message=shipments.NOTHING_RECORDED, field="serials"
            )
            return ShipmentPayload(rejected=recorded.rejected, errors=[nothing])
        return ShipmentPayload(shipment=Shipment.of(recorded.shipment), rejected=recorded.rejected)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Admins: confirm or dismiss an alert.",
    )
    async def diversion_alert_resolve(
        self, info: Info, id: strawberry.ID, confirmed: bool, note: str | None = None
    ) -> DiversionAlertPayload:
        actor = info.context.actor
        now = info.context.services.dispatch.now()
        alert, errors = await attempt(
            lambda: alerts.resolve_alert(
                actor,
                now,
                alert_id=decode_id(id, "DiversionAlert"),
                confirmed=confirmed,
                note=note,
            )
        )
        return DiversionAlertPayload(
            alert=DiversionAlert.of(alert) if alert else None, errors=errors
        )

"""Distributors, shipments, diversion alerts, the period's statements, and each scanned code's
state as a counter sale found it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.crm.channel import scanning, statements
from domain.crm.channel.models import AlertStatus, DiversionKind
from domain.crm.channel.models import Distributor as DistributorModel
from domain.crm.channel.models import DiversionAlert as AlertModel
from domain.crm.channel.models import Shipment as ShipmentModel
from domain.stores.models import Store as StoreModel
from schema.core.context import Info
from schema.core.relay import Node, to_global_id
from schema.stores.types import Product, Store, load_store

strawberry.enum(DiversionKind)
strawberry.enum(AlertStatus)


@strawberry.type
class Distributor(Node):
    pk: strawberry.Private[int]
    code: str
    name: str
    rebate_rate: Decimal = strawberry.field(
        description=(
            'Its rebate on shipped value for a period with no confirmed diversion, e.g. "0.02".'
        )
    )

    @classmethod
    def of(cls, m: DistributorModel) -> Distributor:
        return cls(
            id=to_global_id("Distributor", m.id),
            pk=m.id,
            code=m.code,
            name=m.name,
            rebate_rate=m.rebate_rate,
        )

    @strawberry.field(description="The stores it may supply.")
    async def territory(self) -> list[Store]:
        stores = await StoreModel.filter(distributors__distributor_id=self.pk).order_by("code")
        return [Store.of(s) for s in stores]


async def load_distributor(distributor_id: int | None) -> Distributor | None:
    if distributor_id is None:
        return None
    model = await DistributorModel.get_or_none(id=distributor_id)
    return Distributor.of(model) if model else None


async def _product(info: Info, product_id: int | None) -> Product | None:
    if product_id is None:
        return None
    model = await info.context.loaders.product.load(product_id)
    return Product.of(model) if model else None


@strawberry.type
class Shipment(Node):
    pk: strawberry.Private[int]
    distributor_pk: strawberry.Private[int]
    store_pk: strawberry.Private[int]
    product_pk: strawberry.Private[int]
    units: int
    shipped_at: datetime

    @classmethod
    def of(cls, m: ShipmentModel) -> Shipment:
        return cls(
            id=to_global_id("Shipment", m.id),
            pk=m.id,
            distributor_pk=m.distributor_id,
            store_pk=m.store_id,
            product_pk=m.product_id,
            units=m.units,
            shipped_at=m.shipped_at,
        )

    @strawberry.field
    async def distributor(self) -> Distributor:
        found = await load_distributor(self.distributor_pk)
        assert found is not None  # RESTRICT: a distributor with shipments stays
        return found

    @strawberry.field
    async def store(self, info: Info) -> Store:
        found = await load_store(info, self.store_pk)
        assert found is not None
        return found

    @strawberry.field
    async def product(self, info: Info) -> Product:
        found = await _product(info, self.product_pk)
        assert found is not None
        return found


@strawberry.type
class DiversionAlert(Node):
    pk: strawberry.Private[int]
    product_pk: strawberry.Private[int | None]
    distributor_pk: strawberry.Private[int | None]
    shipped_to_pk: strawberry.Private[int | None]
    sold_at_pk: strawberry.Private[int]
    kind: DiversionKind
    status: AlertStatus
    serial: str
    detected_at: datetime
    note: str | None

    @classmethod
    def of(cls, m: AlertModel) -> DiversionAlert:
        return cls(
            id=to_global_id("DiversionAlert", m.id),
            pk=m.id,
            product_pk=m.product_id,
            distributor_pk=m.distributor_id,
            shipped_to_pk=m.shipped_to_id,
            sold_at_pk=m.sold_at_id,
            kind=m.kind,
            status=m.status,
            serial=m.serial,
            detected_at=m.detected_at,
            note=m.note,
        )

    @strawberry.field
    async def product(self, info: Info) -> Product | None:
        return await _product(info, self.product_pk)

    @strawberry.field
    async def distributor(self) -> Distributor | None:
        return await load_distributor(self.distributor_pk)

    @strawberry.field
    async def shipped_to(self, info: Info) -> Store | None:
        return await load_store(info, self.shipped_to_pk)

    @strawberry.field
    async def sold_at(self, info: Info) -> Store:
        found = await load_store(info, self.sold_at_pk)
        assert found is not None  # RESTRICT on the sale's store
        return found


@strawberry.type(description="A code scanned in a counter sale, and what the scan found.")
class SerialScan:
    code: str
    kind: DiversionKind | None = strawberry.field(
        description="Null: in order (shipped into this store's territory, sold the first time)."
    )
    alert_id: strawberry.ID | None = strawberry.field(description="The alert it raised, if any.")

    @classmethod
    def of(cls, s: scanning.Scanned) -> SerialScan:
        alert = to_global_id("DiversionAlert", s.alert_id) if s.alert_id else None
        return cls(code=s.code, kind=s.kind, alert_id=alert)


@strawberry.type
class DistributorStatement:
    distributor: Distributor
    units_shipped: int
    shipped_value: Decimal
    units_scanned: int = strawberry.field(
        description="Units of its shipments scanned at a counter."
    )
    units_diverted: int
    confirmed_diversions: int = strawberry.field(
        description="Confirmed alerts in the period; any one forfeits the rebate."
    )
    rebate: Decimal
    points_rate: Decimal | None = strawberry.field(
        description="unitsScanned / unitsShipped (4 decimals); null when nothing was shipped."
    )

    @classmethod
    def of(cls, s: statements.DistributorStatement) -> DistributorStatement:
        return cls(
            distributor=Distributor.of(s.distributor),
            units_shipped=s.units_shipped,
            shipped_value=s.shipped_value,
            units_scanned=s.units_scanned,
            units_diverted=s.units_diverted,
            confirmed_diversions=s.confirmed_diversions,
            rebate=s.rebate,
            points_rate=s.points_rate,
        )


@strawberry.type
class StoreSettlement:
    store: Store
    units_scanned: int
    units_shipped: int
    points_issued: int = strawberry.field(
        description="Points its counter sales issued in the period."
    )
    payable: Decimal = strawberry.field(
        description=(
            "What the brand owes the store for the period: on actual (scanned, pointed) "
            "sales, not shipments."
        )
    )

    @classmethod
    def of(cls, s: statements.StoreSettlement) -> StoreSettlement:
        return cls(
            store=Store.of(s.store),
            units_scanned=s.units_scanned,
            units_shipped=s.units_shipped,
            points_issued=s.points_issued,
            payable=s.payable,
        )

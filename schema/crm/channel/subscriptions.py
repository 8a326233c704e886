"""The admins' live view of diversion alerts, across API processes (the event bus)."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Iterable

import strawberry

from domain.crm.channel.models import DiversionAlert as AlertModel
from domain.crm.channel.scanning import Scanned
from realtime import keys
from realtime.bus import EventBus
from schema.core.context import Info
from schema.core.loaders import Loaders
from schema.core.permissions import IsAdmin
from schema.crm.channel.types import DiversionAlert

log = logging.getLogger("o2o.channel")


async def announce(bus: EventBus, scans: Iterable[Scanned]) -> None:
    """Tell every process's subscribers of the alerts a committed sale raised. The sale stands
    whatever happens here: a lost announcement is logged (the alert is in the database)."""
    for scan in scans:
        if scan.alert_id is None:
            continue
        try:
            await bus.publish(keys.DIVERSION_ALERTS, {"alert": scan.alert_id})
        except Exception:
            log.warning("could not announce diversion alert %s", scan.alert_id, exc_info=True)


@strawberry.type
class ChannelSubscription:
    @strawberry.subscription(
        permission_classes=[IsAdmin], description="Admins: each alert as it is raised."
    )
    async def diversion_alert_raised(self, info: Info) -> AsyncGenerator[DiversionAlert, None]:
        async with info.context.services.bus.subscribe(keys.DIVERSION_ALERTS) as events:
            async for message in events:
                alert_id = message.get("alert")
                if not isinstance(alert_id, int):
                    continue  # a resync: alerts are read from diversionAlerts, not replayed
                alert = await AlertModel.get_or_none(id=alert_id)
                if alert is not None:
                    info.context.loaders = Loaders()
                    yield DiversionAlert.of(alert)

"""What the CRM does when the other areas' events arrive (subscribed by the composition root).

A purchase (at a counter, or an online order delivered) makes the member's open run-out and
lapsed calls moot; a member who registers after the morning run still gets today's birthday.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.crm import generation, tasks
from domain.events import MemberRegistered, OrderDelivered, PurchaseRecorded
from domain.messagebus import MessageBus


@dataclass(frozen=True)
class ClosePurchasersTasks:
    async def __call__(self, event: PurchaseRecorded | OrderDelivered) -> None:
        await tasks.close_on_purchase(event.member_id, event.at)


@dataclass(frozen=True)
class GreetNewMember:
    settings: generation.Settings

    async def __call__(self, event: MemberRegistered) -> None:
        day = generation.local_day(event.at, self.settings.zone())
        await generation.generate_for_member(event.member_id, day, self.settings, event.at)


def subscribe(bus: MessageBus, settings: generation.Settings) -> None:
    # Handlers compare equal by value, so subscribing again (another app in the process) is a
    # no-op rather than a second call per event.
    bus.subscribe(PurchaseRecorded, ClosePurchasersTasks())
    bus.subscribe(OrderDelivered, ClosePurchasersTasks())
    bus.subscribe(MemberRegistered, GreetNewMember(settings))


def unsubscribe(bus: MessageBus, settings: generation.Settings) -> None:
    bus.unsubscribe(PurchaseRecorded, ClosePurchasersTasks())
    bus.unsubscribe(OrderDelivered, ClosePurchasersTasks())
    bus.unsubscribe(MemberRegistered, GreetNewMember(settings))

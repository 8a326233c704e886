"""Temporary policies (campaigns) and activities: created by admins, read by the rules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import validation
from domain.enums import PointsEntryKind
from domain.errors import Duplicate, Forbidden, Invalid, NotFound
from domain.loyalty import ledger
from domain.loyalty.models import Activity, ActivityCheckIn, Campaign, PointsEntry
from domain.loyalty.rules import CampaignPolicy
from domain.people.models import Member
from domain.principal import Principal
from domain.stores.models import Product, Store

MAX_MULTIPLIER = Decimal(100)
MAX_ACTIVITY_POINTS = 1_000_000


async def create_campaign(
    actor: Principal,
    *,
    name: str,
    multiplier: Decimal,
    starts_at: datetime,
    ends_at: datetime,
    store_ids: list[int] | None = None,
    product_ids: list[int] | None = None,
) -> Campaign:
    name = validation.text(name, "name", max_length=200)
    multiplier = _multiplier(multiplier)
    starts_at, ends_at = _dates(starts_at, ends_at)
    stores = await _existing(Store, store_ids, "storeIds")
    products = await _existing(Product, product_ids, "productIds")
    return await Campaign.create(
        name=name,
        multiplier=multiplier,
        starts_at=starts_at,
        ends_at=ends_at,
        store_ids=stores,
        product_ids=products,
    )


async def create_activity(
    actor: Principal,
    *,
    name: str,
    points: int,
    cost: Decimal,
    starts_at: datetime,
    ends_at: datetime,
) -> Activity:
    name = validation.text(name, "name", max_length=200)
    validation.whole(points, "points", minimum=0, maximum=MAX_ACTIVITY_POINTS)
    cost = validation.money(cost, "cost")
    starts_at, ends_at = _dates(starts_at, ends_at)
    return await Activity.create(
        name=name, points=points, cost=cost, starts_at=starts_at, ends_at=ends_at
    )


async def check_in(
    actor: Principal, now: datetime, *, activity_id: int, member_id: int
) -> PointsEntry:
    """Grant the activity's points, once per member: a member checks in themselves, staff
    and admins check members in."""
    if actor.is_member and actor.user_id != member_id:
        raise Forbidden("A member checks in only themselves.")
    activity = await Activity.get_or_none(id=activity_id)
    if activity is None:
        raise NotFound("No activity has this id.", "activityId")
    if not activity.starts_at <= now < activity.ends_at:
        raise Invalid("This activity is not running now.", "activityId")
    if not await Member.exists(id=member_id):
        raise NotFound("No member has this id.", "memberId")
    try:
        async with in_transaction():
            member = await ledger.lock_member(member_id)
            if await ActivityCheckIn.exists(activity_id=activity_id, member_id=member_id):
                raise _already()
            entry = await ledger.post(
                member_id,
                ledger.Draft(
                    PointsEntryKind.ACTIVITY,
                    activity.points,
                    note=activity.name,
                    store_id=actor.store_id if actor.is_staff else None,
                    staff_id=actor.user_id if actor.is_staff else None,
                    activity_id=activity.id,
                ),
                now,
                locked=member,
                full_field="activityId",
            )
            await ActivityCheckIn.create(
                activity_id=activity_id, member_id=member_id, entry_id=entry.id, created_at=now
            )
    except IntegrityError:
        raise _already() from None
    return entry


def _already() -> Duplicate:
    return Duplicate("This member has checked in to this activity already.", "memberId")


async def active_campaigns(at: datetime) -> list[CampaignPolicy]:
    rows = await Campaign.filter(starts_at__lte=at, ends_at__gt=at)
    return [
        CampaignPolicy(
            id=c.id,
            name=c.name,
            multiplier=Decimal(c.multiplier),
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            store_ids=frozenset(c.store_ids) if c.store_ids is not None else None,
            product_ids=frozenset(c.product_ids) if c.product_ids is not None else None,
        )
        for c in rows
    ]


async def campaigns() -> list[Campaign]:
    return await Campaign.all().order_by("-starts_at", "-id")


async def activities() -> list[Activity]:
    return await Activity.all().order_by("-starts_at", "-id")


def _multiplier(value: Decimal) -> Decimal:
    try:
        amount = Decimal(value)
        valid = amount.is_finite() and 0 < amount <= MAX_MULTIPLIER
    except (InvalidOperation, TypeError, ValueError):
        valid = False
    if not valid:
        raise Invalid(f"multiplier must be above 0 and at most {MAX_MULTIPLIER}.", "multiplier")
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid("multiplier has at most two decimal places.", "multiplier")
    return amount


def _dates(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    starts_at = validation.instant(starts_at, "startsAt")
    ends_at = validation.instant(ends_at, "endsAt")
    if ends_at <= starts_at:
        raise Invalid("endsAt must be after startsAt.", "endsAt")
    return starts_at, ends_at


async def _existing(
    model: type[Store] | type[Product], ids: list[int] | None, field: str
) -> list[int] | None:
    if ids is None:
        return None
    if not ids:
        raise Invalid(f"Leave {field} out to include all; an empty list includes none.", field)
    wanted = sorted(set(ids))
    rows = await model.filter(id__in=wanted).values_list("id", flat=True)
    found = set(cast(list[int], rows))  # flat: the ids themselves, not 1-tuples
    for i, pk in enumerate(ids):
        if pk not in found:
            raise NotFound(f"No {model.__name__.lower()} has this id.", f"{field}.{i}")
    return wanted

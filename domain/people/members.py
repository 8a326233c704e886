"""Members: registration, visibility and search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain import messagebus, validation
from domain.access.passwords import hash_password
from domain.access.visibility import visible_members
from domain.crm.tasks import BabyIn, add_babies, check_babies
from domain.enums import MemberSource
from domain.errors import Duplicate, Invalid, NotFound
from domain.events import MemberRegistered
from domain.loyalty.models import Activity
from domain.people.models import Member
from domain.principal import Principal
from domain.stores.models import Store

MAX_SEARCH = 50
# No one registering is older than this; an earlier year is a typing slip.
EARLIEST_BIRTHDAY = date(1900, 1, 1)


async def register_member(
    actor: Principal | None,
    *,
    phone: str,
    password: str,
    name: str,
    store_code: str | None = None,
    birthday: date | None = None,
    activity_id: int | None = None,
    babies: Sequence[BabyIn] = (),
    today: date | None = None,
) -> Member:
    """Anyone may sign up; a staff caller signs the member up for their own store.

    The store that signs a member up becomes the home store, and keeps it. Signing up at an
    activity records it as the member's source. ``today`` is the brand's day (birthdays are
    checked against it); the babies are checked before anything is written, and recorded in
    the member's own transaction, so the welcome (MemberRegistered) already sees them.
    """
    today = today or datetime.now(UTC).date()
    phone = validation.phone(phone)
    name = validation.text(name, "name", max_length=100)
    validation.password(password)
    if birthday is not None and not EARLIEST_BIRTHDAY <= birthday <= today:
        raise Invalid("birthday must be between 1900-01-01 and today.", "birthday")
    checked = check_babies(list(babies), today)
    home_store_id, registered_by, source = await _signup_origin(actor, store_code)
    if activity_id is not None:
        if not await Activity.exists(id=activity_id):
            raise NotFound("No activity has this id.", "activityId")
        source = MemberSource.ACTIVITY
    if await Member.exists(phone=phone):
        raise Duplicate("A member with this phone exists.", "phone")
    password_hash = await hash_password(password)
    try:
        async with in_transaction():
            member = await Member.create(
                phone=phone,
                password_hash=password_hash,
                name=name,
                birthday=birthday,
                home_store_id=home_store_id,
                registered_by_id=registered_by,
                source=source,
                activity_id=activity_id,
            )
            await add_babies(member.id, checked, today)
    except IntegrityError:
        raise Duplicate("A member with this phone exists.", "phone") from None
    await messagebus.publish(
        MemberRegistered(member.id, home_store_id, registered_by, member.joined_at)
    )
    return member


async def _signup_origin(
    actor: Principal | None, store_code: str | None
) -> tuple[int | None, int | None, MemberSource]:
    if actor is not None and actor.is_staff:
        return actor.store_id, actor.user_id, MemberSource.CLERK
    if store_code:
        code = validation.code(store_code, "storeCode")
        store = await Store.get_or_none(code=code, active=True)
        if store is None:
            raise NotFound("No store has this code.", "storeCode")
        return store.id, None, MemberSource.STORE_CODE
    return None, None, MemberSource.SELF


def search_members(actor: Principal, search: str | None) -> QuerySet[Member]:
    query = visible_members(actor)
    if search:
        term = validation.text(search, "search", max_length=MAX_SEARCH)
        query = query.filter(Q(phone__startswith=term) | Q(name__icontains=term))
    return query


async def member_by_phone(raw: str) -> Member | None:
    """The member at a counter, found by phone (staff serve members of any home store)."""
    try:
        phone = validation.phone(raw)
    except Invalid:
        return None
    return await Member.get_or_none(phone=phone)

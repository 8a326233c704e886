"""Signing in, staff and admins."""

from __future__ import annotations

from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import validation
from domain.access.passwords import hash_password, verify_password
from domain.crm.channel.models import Distributor
from domain.enums import StaffRole
from domain.errors import Duplicate, Forbidden, Invalid, NotFound
from domain.people.models import Admin, Member, Staff
from domain.principal import Principal, Role
from domain.stores.models import Store


class AccountKind(StrEnum):
    """Which of a phone's accounts a sign-in opens: one phone may hold one of each."""

    MEMBER = "MEMBER"
    STAFF = "STAFF"
    ADMIN = "ADMIN"
    DISTRIBUTOR = "DISTRIBUTOR"


def sign_in_phone(phone: str) -> str:
    """The phone as sign-in looks it up ("139 0000 0028" is 13900000028), for counting
    attempts against it; text that is no phone is counted as sent, stripped."""
    try:
        return validation.phone(phone)
    except Invalid:
        return phone.strip()


async def authenticate(
    phone: str, password: str, kind: AccountKind = AccountKind.MEMBER
) -> Principal | None:
    """The principal of the ``kind`` account whose phone and password match, else None (the
    same for either mistake).

    Only the named account is tried. Anyone may register a member on any phone, a staff
    member's or an admin's included: trying every account on the phone would let that
    member's password stand in for a staff sign-in (and its successes for theirs).
    """
    try:
        phone = validation.phone(phone)
    except Invalid:
        await verify_password(None, password)
        return None
    account: Admin | Staff | Distributor | Member | None
    if kind is AccountKind.ADMIN:
        account = await Admin.get_or_none(phone=phone)
    elif kind is AccountKind.STAFF:
        account = await Staff.get_or_none(phone=phone, active=True)
    elif kind is AccountKind.DISTRIBUTOR:
        account = await Distributor.get_or_none(phone=phone)
    else:
        account = await Member.get_or_none(phone=phone)
    if account is None or account.password_hash is None:
        await verify_password(None, password)  # as long as a wrong password takes
        return None
    if not await verify_password(account.password_hash, password):
        return None
    if isinstance(account, Admin):
        return Principal(Role.ADMIN, account.id)
    if isinstance(account, Staff):
        return Principal(Role(account.role.value), account.id, account.store_id)
    if isinstance(account, Distributor):
        return Principal(Role.DISTRIBUTOR, account.id)
    return Principal(Role.MEMBER, account.id)


async def create_staff(
    actor: Principal, *, store_id: int, phone: str, password: str, name: str, role: Role
) -> Staff:
    """Admins add staff to any store; a manager adds clerks to their own store."""
    if not (actor.is_admin or (actor.role is Role.MANAGER and actor.store_id == store_id)):
        raise Forbidden()
    if role not in (Role.CLERK, Role.MANAGER):
        raise Invalid("role must be CLERK or MANAGER.", "role")
    if actor.role is Role.MANAGER and role is not Role.CLERK:
        raise Forbidden("Only an admin can add a manager.")
    phone = validation.phone(phone)
    name = validation.text(name, "name", max_length=100)
    validation.password(password)
    if not await Store.exists(id=store_id):
        raise NotFound("No such store.", "storeId")
    if await Staff.exists(phone=phone):
        raise Duplicate("A staff account with this phone exists.", "phone")
    password_hash = await hash_password(password)
    try:
        async with in_transaction():
            return await Staff.create(
                store_id=store_id,
                phone=phone,
                password_hash=password_hash,
                name=name,
                role=StaffRole(role.value),
            )
    except IntegrityError:
        raise Duplicate("A staff account with this phone exists.", "phone") from None


async def create_admin(*, phone: str, password: str, name: str = "Admin") -> tuple[Admin, bool]:
    """Create the admin, or set the password of the one with this phone; True when created."""
    phone = validation.phone(phone)
    validation.password(password)
    password_hash = await hash_password(password)
    admin = await Admin.get_or_none(phone=phone)
    if admin is not None:
        admin.password_hash = password_hash
        await admin.save(update_fields=["password_hash"])
        return admin, False
    return await Admin.create(phone=phone, password_hash=password_hash, name=name), True

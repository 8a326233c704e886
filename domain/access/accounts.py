"""Signing in, staff and admins."""

from __future__ import annotations

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


async def authenticate(phone: str, password: str) -> Principal | None:
    """The principal whose phone and password match, else None (the same for either mistake).

    One phone may belong to an admin, a staff member, a distributor and a member at once; the
    first account in that order whose password matches wins.
    """
    try:
        phone = validation.phone(phone)
    except Invalid:
        await verify_password(None, password)
        return None
    admin = await Admin.get_or_none(phone=phone)
    if admin and await verify_password(admin.password_hash, password):
        return Principal(Role.ADMIN, admin.id)
    staff = await Staff.get_or_none(phone=phone, active=True)
    if staff and await verify_password(staff.password_hash, password):
        return Principal(Role(staff.role.value), staff.id, staff.store_id)
    distributor = await Distributor.get_or_none(phone=phone)
    if distributor and await verify_password(distributor.password_hash, password):
        return Principal(Role.DISTRIBUTOR, distributor.id)
    member = await Member.get_or_none(phone=phone)
    if member and await verify_password(member.password_hash, password):
        return Principal(Role.MEMBER, member.id)
    if not (admin or staff or distributor or member):
        await verify_password(None, password)
    return None


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

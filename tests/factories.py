"""Rows for tests, written straight to the database (one shared password hash keeps it fast)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from argon2 import PasswordHasher

from domain.enums import StaffRole
from domain.people.models import Admin, Member, Staff
from domain.principal import Principal, Role
from domain.stores.models import Product, Reward, Store

PASSWORD = "secret-pass-1"
PASSWORD_HASH = PasswordHasher().hash(PASSWORD)
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


async def store(
    *,
    code: str | None = None,
    latitude: float = 23.13,
    longitude: float = 113.32,
    radius: float = 3.0,
    accepting: bool = True,
) -> Store:
    n = _n()
    return await Store.create(
        code=code or f"S{n:04d}",
        name=f"Store {n}",
        address=f"{n} Test Road",
        latitude=latitude,
        longitude=longitude,
        service_radius_km=radius,
        accepting_orders=accepting,
    )


async def staff(of: Store, role: StaffRole = StaffRole.CLERK, phone: str | None = None) -> Staff:
    n = _n()
    return await Staff.create(
        phone=phone or f"1370{n:07d}",
        password_hash=PASSWORD_HASH,
        name=f"Staff {n}",
        role=role,
        store_id=of.id,
    )


async def member(home: Store | None = None, phone: str | None = None) -> Member:
    n = _n()
    return await Member.create(
        phone=phone or f"1360{n:07d}",
        password_hash=PASSWORD_HASH,
        name=f"Member {n}",
        home_store_id=home.id if home else None,
    )


async def admin(phone: str | None = None) -> Admin:
    return await Admin.create(
        phone=phone or f"1350{_n():07d}", password_hash=PASSWORD_HASH, name="Admin"
    )


async def product(price: str = "100.00", *, member_pack: bool = False) -> Product:
    n = _n()
    return await Product.create(
        sku=f"SKU-{n}", name=f"Product {n}", price=Decimal(price), is_member_pack=member_pack
    )


async def reward(cost: int = 100) -> Reward:
    return await Reward.create(name=f"Reward {_n()}", points_cost=cost)


def as_admin(a: Admin) -> Principal:
    return Principal(Role.ADMIN, a.id)


def as_staff(s: Staff) -> Principal:
    return Principal(Role(s.role.value), s.id, s.store_id)


def as_member(m: Member) -> Principal:
    return Principal(Role.MEMBER, m.id)

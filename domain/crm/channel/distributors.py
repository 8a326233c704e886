"""Distributors: who ships to which stores, at what rebate, with an optional sign-in."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import validation
from domain.access.passwords import hash_password
from domain.crm.channel.models import DEFAULT_REBATE_RATE, Distributor, DistributorStore
from domain.errors import Duplicate, Forbidden, Invalid, NotFound
from domain.principal import Principal
from domain.stores.models import Store

# The brand's practice pays 1-2 %; anything above a tenth is a typing mistake.
MAX_REBATE_RATE = Decimal("0.1")


def rebate_rate(value: Decimal | None) -> Decimal:
    if value is None:
        return DEFAULT_REBATE_RATE
    try:
        rate = Decimal(value)
        ok = rate.is_finite() and Decimal(0) <= rate <= MAX_REBATE_RATE
    except InvalidOperation:
        ok = False
    if not ok or rate != rate.quantize(Decimal("0.0001")):
        raise Invalid("rebateRate must be between 0 and 0.1, at most 4 decimals.", "rebateRate")
    return rate


async def create_distributor(
    actor: Principal,
    *,
    code: str,
    name: str,
    store_ids: Sequence[int],
    rate: Decimal | None = None,
    phone: str | None = None,
    password: str | None = None,
) -> Distributor:
    """Admins add a distributor and its territory; a phone and password give it a sign-in."""
    if not actor.is_admin:
        raise Forbidden("Only an admin adds a distributor.")
    code = validation.code(code, "code")
    name = validation.text(name, "name", max_length=100)
    chosen = rebate_rate(rate)
    stores = sorted(set(store_ids))
    if not stores:
        raise Invalid("A distributor supplies at least one store.", "storeIds")
    if await Store.filter(id__in=stores).count() != len(stores):
        raise NotFound("No store has one of these ids.", "storeIds")
    if (phone is None) != (password is None):
        raise Invalid("A sign-in needs both phone and password.", "phone" if phone else "password")
    password_hash = None
    if phone is not None and password is not None:
        phone = validation.phone(phone)
        validation.password(password)
        if await Distributor.exists(phone=phone):
            raise Duplicate("A distributor with this phone exists.", "phone")
        password_hash = await hash_password(password)
    if await Distributor.exists(code=code):
        raise Duplicate("A distributor with this code exists.", "code")
    try:
        async with in_transaction():
            distributor = await Distributor.create(
                code=code, name=name, rebate_rate=chosen, phone=phone, password_hash=password_hash
            )
            await DistributorStore.bulk_create(
                [DistributorStore(distributor_id=distributor.id, store_id=s) for s in stores]
            )
    except IntegrityError:
        raise Duplicate("A distributor with this code or phone exists.", "code") from None
    return distributor


async def territory_of(distributor_id: int) -> list[int]:
    rows = await DistributorStore.filter(distributor_id=distributor_id).values_list(
        "store_id", flat=True
    )
    return sorted(int(r) for r in rows)  # type: ignore[call-overload]


def may_act_for(actor: Principal, distributor_id: int) -> bool:
    """Admins act for any distributor; a distributor's sign-in only for itself."""
    return actor.is_admin or (actor.is_distributor and actor.user_id == distributor_id)

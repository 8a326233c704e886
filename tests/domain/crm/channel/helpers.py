"""A channel world: two stores, a distributor supplying only the first, products, a clerk at
each store and a member."""

from dataclasses import dataclass

import pytest

from domain.crm.channel import distributors
from domain.crm.channel.models import Distributor
from domain.people.models import Member
from domain.principal import Principal, Role
from domain.stores.models import Product, Store
from tests import factories


@dataclass
class Channel:
    inside: Store
    outside: Store
    distributor: Distributor
    other: Distributor
    milk: Product
    wipes: Product
    member: Member
    admin: Principal
    clerk: Principal
    outside_clerk: Principal
    as_distributor: Principal
    as_other: Principal


def codes(prefix: str, n: int) -> list[str]:
    return [f"{prefix}-{i:08d}" for i in range(n)]


@pytest.fixture
async def channel(db) -> Channel:
    inside = await factories.store()
    outside = await factories.store()
    admin = factories.as_admin(await factories.admin())
    north = await distributors.create_distributor(
        admin, code="NORTH", name="North Trading", store_ids=[inside.id]
    )
    south = await distributors.create_distributor(
        admin, code="SOUTH", name="South Trading", store_ids=[outside.id]
    )
    return Channel(
        inside=inside,
        outside=outside,
        distributor=north,
        other=south,
        milk=await factories.product("200.00"),
        wipes=await factories.product("10.00"),
        member=await factories.member(),
        admin=admin,
        clerk=factories.as_staff(await factories.staff(inside)),
        outside_clerk=factories.as_staff(await factories.staff(outside)),
        as_distributor=Principal(Role.DISTRIBUTOR, north.id),
        as_other=Principal(Role.DISTRIBUTOR, south.id),
    )

"""A store with a clerk, a member, products and rewards, as GraphQL ids and principals."""

from dataclasses import dataclass
from typing import Any

import pytest

from domain.people.models import Member, Staff
from domain.principal import Principal
from domain.stores.models import Product, Reward, Store
from schema.core.relay import to_global_id
from tests import factories


@dataclass
class Counter:
    store: Store
    other_store: Store
    clerk: Staff
    member: Member
    other_member: Member
    pack: Product
    wipes: Product
    reward: Reward
    as_clerk: Principal
    as_other_clerk: Principal
    as_member: Principal
    as_other_member: Principal
    as_admin: Principal

    def gid(self, model: Any) -> str:
        return to_global_id(type(model).__name__, model.id)


@pytest.fixture
async def counter(db) -> Counter:
    store = await factories.store()
    other = await factories.store(code="OTHER")
    clerk = await factories.staff(store)
    member = await factories.member()
    other_member = await factories.member(home=other)
    return Counter(
        store=store,
        other_store=other,
        clerk=clerk,
        member=member,
        other_member=other_member,
        pack=await factories.product("198.00", member_pack=True),
        wipes=await factories.product("49.90"),
        reward=await factories.reward(100),
        as_clerk=factories.as_staff(clerk),
        as_other_clerk=factories.as_staff(await factories.staff(other)),
        as_member=factories.as_member(member),
        as_other_member=factories.as_member(other_member),
        as_admin=factories.as_admin(await factories.admin()),
    )

"""Root mutation fields: each checks the caller, calls one domain action, wraps the result."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain import accounts, catalog, members, orders, stores
from domain.accounts import AccountKind as SignInRole
from domain.errors import ErrorCode
from domain.principal import Role
from schema.context import Info
from schema.errors import UserError, attempt
from schema.inputs import (
    MemberRegisterInput,
    ProductCreateInput,
    RewardCreateInput,
    StaffCreateInput,
    StoreCreateInput,
)
from schema.payloads import (
    MemberPayload,
    ProductPayload,
    RewardPayload,
    StaffPayload,
    StorePayload,
    TokenCreatePayload,
)
from schema.queries import viewer_of
from schema.rate_limits import guard_sign_in, record_sign_in
from schema.relay import decode_id
from schema.types import Member, Product, Reward, Staff, Store

WRONG_LOGIN = "The phone number or the password is wrong."


@strawberry.type
class SetupMutation:
    @strawberry.mutation(
        description="Sign in to one account of the phone: the member's unless `role` names "
        "the staff or admin account (a phone may hold one of each, each with its password)."
    )
    async def token_create(
        self, info: Info, phone: str, password: str, role: SignInRole = SignInRole.MEMBER
    ) -> TokenCreatePayload:
        await guard_sign_in(info, phone, role)
        principal = await accounts.authenticate(phone, password, role)
        viewer = await viewer_of(principal) if principal else None
        await record_sign_in(info, phone, role, succeeded=viewer is not None)
        if principal is None or viewer is None:
            return TokenCreatePayload(
                errors=[UserError(code=ErrorCode.INVALID, message=WRONG_LOGIN)]
            )
        return TokenCreatePayload(
            token=info.context.services.tokens.issue(principal), viewer=viewer
        )

    @strawberry.mutation(
        description=(
            "Anyone may register as a member; a staff token registers the member for the "
            "staff's store."
        )
    )
    async def member_register(self, info: Info, input: MemberRegisterInput) -> MemberPayload:
        member, errors = await attempt(
            lambda: members.register_member(
                info.context.viewer(),
                phone=input.phone,
                password=input.password,
                name=input.name,
                store_code=input.store_code,
                birthday=input.birthday,
                activity_id=(
                    decode_id(input.activity_id, "Activity", "activityId")
                    if input.activity_id
                    else None
                ),
            )
        )
        return MemberPayload(member=Member.of(member) if member else None, errors=errors)

    @strawberry.mutation
    async def store_create(self, info: Info, input: StoreCreateInput) -> StorePayload:
        actor = info.context.require(Role.ADMIN)
        store, errors = await attempt(
            lambda: stores.create_store(
                actor,
                info.context.services.store_index,
                code=input.code,
                name=input.name,
                address=input.address,
                latitude=input.location.latitude,
                longitude=input.location.longitude,
                service_radius_km=input.service_radius_km,
            )
        )
        if store is not None:
            await orders.offer_waiting_orders(info.context.services.dispatch, store)
        return StorePayload(store=Store.of(store) if store else None, errors=errors)

    @strawberry.mutation(description="Manager or admin: open or pause the store for new offers.")
    async def store_set_accepting_orders(
        self, info: Info, id: strawberry.ID, accepting: bool
    ) -> StorePayload:
        actor = info.context.require(Role.ADMIN, Role.MANAGER)
        store, errors = await attempt(
            lambda: stores.set_accepting_orders(actor, decode_id(id, "Store"), accepting)
        )
        if store is not None:
            await orders.offer_waiting_orders(info.context.services.dispatch, store)
        return StorePayload(store=Store.of(store) if store else None, errors=errors)

    @strawberry.mutation
    async def staff_create(self, info: Info, input: StaffCreateInput) -> StaffPayload:
        actor = info.context.require(Role.ADMIN, Role.MANAGER)
        staff, errors = await attempt(
            lambda: accounts.create_staff(
                actor,
                store_id=decode_id(input.store_id, "Store", "storeId"),
                phone=input.phone,
                password=input.password,
                name=input.name,
                role=input.role,
            )
        )
        return StaffPayload(staff=Staff.of(staff) if staff else None, errors=errors)

    @strawberry.mutation
    async def product_create(self, info: Info, input: ProductCreateInput) -> ProductPayload:
        actor = info.context.require(Role.ADMIN)
        product, errors = await attempt(
            lambda: catalog.create_product(
                actor,
                sku=input.sku,
                name=input.name,
                price=input.price,
                is_member_pack=bool(input.is_member_pack),
                points_per_yuan=(
                    Decimal(1) if input.points_per_yuan is None else input.points_per_yuan
                ),
                days_per_unit=input.days_per_unit,
            )
        )
        return ProductPayload(product=Product.of(product) if product else None, errors=errors)

    @strawberry.mutation
    async def reward_create(self, info: Info, input: RewardCreateInput) -> RewardPayload:
        actor = info.context.require(Role.ADMIN)
        reward, errors = await attempt(
            lambda: catalog.create_reward(actor, name=input.name, points_cost=input.points_cost)
        )
        return RewardPayload(reward=Reward.of(reward) if reward else None, errors=errors)

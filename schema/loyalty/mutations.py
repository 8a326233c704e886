"""Loyalty mutations: each checks the caller, calls one domain action, wraps the result."""

from __future__ import annotations

import strawberry

from domain import loyalty
from domain.principal import Role
from schema.core.context import Info
from schema.core.errors import attempt
from schema.core.permissions import IsAdmin, IsMemberStaffOrAdmin, IsStoreStaff
from schema.core.relay import decode_id
from schema.crm.channel.subscriptions import announce
from schema.guards.rate_limits import limit_member
from schema.loyalty.inputs import (
    ActivityCreateInput,
    CampaignCreateInput,
    PointsRedeemInput,
    PurchaseRecordInput,
)
from schema.loyalty.payloads import ActivityPayload, CampaignPayload, PointsPayload, VoucherPayload
from schema.loyalty.types import Activity, Campaign, Voucher, ids
from schema.orders.inputs import line_requests

STAFF = (Role.CLERK, Role.MANAGER)
EVERYONE = (Role.MEMBER, Role.CLERK, Role.MANAGER, Role.ADMIN)


@strawberry.type
class LoyaltyMutation:
    @strawberry.mutation(
        permission_classes=[IsStoreStaff],
        description="A sale at the counter of the caller's store.",
    )
    async def purchase_record(self, info: Info, input: PurchaseRecordInput) -> PointsPayload:
        actor = info.context.actor
        now = info.context.services.dispatch.now()
        result, errors = await attempt(
            lambda: loyalty.record_purchase(
                actor,
                now,
                member_id=decode_id(input.member_id, "Member", "memberId"),
                lines=line_requests(input.lines),
                key=input.idempotency_key,
                serials=input.serials or (),
            )
        )
        if result is not None and not result.repeated and result.scans:
            await announce(info.context.services.bus, result.scans)
        return PointsPayload.of(result, errors)

    @strawberry.mutation(
        permission_classes=[IsMemberStaffOrAdmin],
        description=(
            "A member for themselves (WEB, APP); staff for the member at their counter "
            "(STORE, PHONE); admins (PHONE, WEB). INSUFFICIENT_POINTS writes nothing."
        ),
    )
    async def points_redeem(self, info: Info, input: PointsRedeemInput) -> PointsPayload:
        actor = info.context.actor
        await limit_member(info, info.context.services.rate_limits.points_redeem)
        now = info.context.services.dispatch.now()
        result, errors = await attempt(
            lambda: loyalty.redeem_points(
                actor,
                now,
                member_id=decode_id(input.member_id, "Member", "memberId"),
                reward_id=decode_id(input.reward_id, "Reward", "rewardId"),
                channel=input.channel,
                key=input.idempotency_key,
            )
        )
        return PointsPayload.of(result, errors)

    @strawberry.mutation(
        permission_classes=[IsStoreStaff],
        description=(
            "Staff hand over a free pack at their store, to the member at the counter: a voucher "
            "of another member is refused."
        ),
    )
    async def voucher_redeem(
        self, info: Info, id: strawberry.ID, member_id: strawberry.ID
    ) -> VoucherPayload:
        actor = info.context.actor
        now = info.context.services.dispatch.now()
        voucher, errors = await attempt(
            lambda: loyalty.redeem_voucher(
                actor,
                now,
                voucher_id=decode_id(id, "Voucher"),
                member_id=decode_id(member_id, "Member", "memberId"),
            )
        )
        return VoucherPayload(voucher=Voucher.of(voucher) if voucher else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Admin: a points multiplier over a date range."
    )
    async def campaign_create(self, info: Info, input: CampaignCreateInput) -> CampaignPayload:
        actor = info.context.actor
        campaign, errors = await attempt(
            lambda: loyalty.create_campaign(
                actor,
                name=input.name,
                multiplier=input.multiplier,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                store_ids=ids(input.store_ids, "Store", "storeIds"),
                product_ids=ids(input.product_ids, "Product", "productIds"),
            )
        )
        return CampaignPayload(campaign=Campaign.of(campaign) if campaign else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Admin: an event or contest whose check-in grants points.",
    )
    async def activity_create(self, info: Info, input: ActivityCreateInput) -> ActivityPayload:
        actor = info.context.actor
        activity, errors = await attempt(
            lambda: loyalty.create_activity(
                actor,
                name=input.name,
                points=input.points,
                cost=input.cost,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
            )
        )
        return ActivityPayload(activity=Activity.of(activity) if activity else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsMemberStaffOrAdmin],
        description=(
            "Grants the activity's points once per member (again: DUPLICATE). A member checks "
            "in themselves; staff and admins check members in."
        ),
    )
    async def activity_check_in(
        self, info: Info, activity_id: strawberry.ID, member_id: strawberry.ID
    ) -> PointsPayload:
        actor = info.context.actor
        now = info.context.services.dispatch.now()

        async def check_in() -> loyalty.Earned:
            entry = await loyalty.check_in(
                actor,
                now,
                activity_id=decode_id(activity_id, "Activity", "activityId"),
                member_id=decode_id(member_id, "Member", "memberId"),
            )
            return await loyalty.earned(entry)

        result, errors = await attempt(check_in)
        return PointsPayload.of(result, errors)

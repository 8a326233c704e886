"""Spending: rewards for points (``pointsRedeem``) and free-pack vouchers (``voucherRedeem``)."""

from __future__ import annotations

from datetime import datetime

from domain.enums import Channel, PointsEntryKind, VoucherStatus
from domain.errors import DomainError, ErrorCode, Forbidden, Invalid, NotFound
from domain.loyalty import ledger
from domain.loyalty.earning import Earned, earned
from domain.loyalty.models import PointsEntry, Voucher
from domain.people.models import Member
from domain.principal import Principal, Role
from domain.stores.models import Reward

# Who redeems through which channel: a member in the web shop or the app; staff at the
# counter or for a member on the phone; an admin (the brand's service desk) by phone or web.
CHANNELS: dict[Role, frozenset[Channel]] = {
    Role.MEMBER: frozenset({Channel.WEB, Channel.APP}),
    Role.CLERK: frozenset({Channel.STORE, Channel.PHONE}),
    Role.MANAGER: frozenset({Channel.STORE, Channel.PHONE}),
    Role.ADMIN: frozenset({Channel.PHONE, Channel.WEB}),
}


async def redeem_points(
    actor: Principal,
    now: datetime,
    *,
    member_id: int,
    reward_id: int,
    channel: Channel,
    key: str,
) -> Earned:
    """A member for themselves; staff for the member at their counter; nothing is written
    when the balance does not cover the reward (INSUFFICIENT_POINTS)."""
    if actor.is_member and actor.user_id != member_id:
        raise Forbidden("A member redeems only their own points.")
    key = ledger.clean_key(key)
    if channel not in CHANNELS[actor.role]:
        allowed = ", ".join(sorted(CHANNELS[actor.role]))
        raise Invalid(f"A {actor.role.value.lower()} redeems through {allowed}.", "channel")
    content = {"member": member_id, "reward": reward_id, "channel": channel.value}
    scope = ledger.key_scope("redeem", actor)
    if (first := await ledger.repeat(scope, key, content)) is not None:
        return await earned(first, repeated=True)
    reward = await Reward.get_or_none(id=reward_id, active=True)
    if reward is None:
        raise NotFound("No reward has this id.", "rewardId")

    async def write() -> PointsEntry:
        if not await Member.exists(id=member_id):
            raise NotFound("No member has this id.", "memberId")
        return await ledger.post(
            member_id,
            ledger.Draft(
                PointsEntryKind.REDEMPTION,
                -reward.points_cost,
                note=reward.name,
                store_id=actor.store_id if actor.is_staff else None,
                staff_id=actor.user_id if actor.is_staff else None,
                channel=channel,
                reward_id=reward.id,
            ),
            now,
        )

    applied = await ledger.once(scope, key, content, write)
    return await earned(applied.entry, repeated=applied.repeated)


class VoucherUsed(DomainError):
    def __init__(self) -> None:
        super().__init__(ErrorCode.INVALID_TRANSITION, "This voucher has been redeemed.", "id")


async def redeem_voucher(
    actor: Principal, now: datetime, *, voucher_id: int, member_id: int
) -> Voucher:
    """Staff hand over the free pack at their counter to ``member_id``, the member standing
    there: a voucher id alone would let anyone's voucher be spent by whoever read it."""
    if not actor.is_staff:
        raise Forbidden("Vouchers are redeemed by staff at a store.")
    voucher = await Voucher.get_or_none(id=voucher_id)
    if voucher is None:
        raise NotFound("No voucher has this id.", "id")
    if voucher.member_id != member_id:
        raise Invalid("This voucher belongs to another member.", "memberId")
    used = await Voucher.filter(id=voucher_id, status=VoucherStatus.ISSUED).update(
        status=VoucherStatus.REDEEMED,
        redeemed_at=now,
        redeemed_store_id=actor.store_id,
        redeemed_by_id=actor.user_id,
    )
    if not used:
        raise VoucherUsed()
    return await Voucher.get(id=voucher_id)

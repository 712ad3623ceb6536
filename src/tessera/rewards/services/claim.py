"""Claiming an unlocked gift at a store: once, inside its claim window, audited, announced through the outbox."""

from __future__ import annotations

import zlib
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tessera.audit.services import audit_record
from tessera.coupons.models import CouponTemplate
from tessera.coupons.services import IssueSource, coupon_issue
from tessera.kit.actor import Actor
from tessera.kit.db import use_case
from tessera.members.errors import MemberNotActive
from tessera.members.models import Member
from tessera.messaging.services import outbox_enqueue
from tessera.programs.models import Program, ProgramMerchant
from tessera.rewards.errors import RewardAlreadyClaimed, RewardClaimClosed, RewardNotFound, RewardRevoked
from tessera.rewards.models import RewardGrant

CLAIMED_KIND = "reward.claimed"


def reward_claim(*, grant: RewardGrant, actor: Actor, now: datetime) -> RewardGrant:
    """Hand an unlocked gift to its member at the actor's store as a coupon, issued in the same transaction.

    Not a replayable write: a second claim of the same gift is refused, so a till that retries after a lost
    answer learns that the gift was claimed (and when) rather than handing out a second coupon.

    :raises RewardNotFound: the gift's programme is not served by the actor's merchant.
    :raises RewardAlreadyClaimed: the gift was claimed before.
    :raises RewardClaimClosed: the claim window closed (whether or not the lapse job has marked it lost).
    :raises RewardRevoked: a return took the month back below the step before the gift was claimed.
    :raises MemberNotActive: the membership is frozen or closed.
    """
    if not ProgramMerchant.objects.filter(program_id=grant.program_id, merchant_id=actor.merchant_id).exists():
        raise RewardNotFound()
    with use_case():
        # The row lock orders this claim against a concurrent second claim, a return revoking the gift and
        # the lapse job: whichever comes second sees the state the first one left.
        locked = RewardGrant.objects.select_for_update().get(id=grant.id)
        program = Program.objects.get(id=locked.program_id)
        _require_claimable(locked, timezone=program.timezone, now=now)
        member = Member.objects.get(id=locked.member_id)
        if member.status != Member.Status.ACTIVE:
            raise MemberNotActive(status=Member.Status(member.status).label)
        locked.state = RewardGrant.State.CLAIMED
        locked.claimed_at = now
        locked.claimed_store_id = actor.store_id
        locked.claimed_terminal_id = actor.terminal_id
        locked.claimed_staff_id = actor.staff_id
        locked.save(update_fields=["state", "claimed_at", "claimed_store", "claimed_terminal", "claimed_staff"])
        _coupon_issue(locked, member=member, program=program, actor=actor, now=now)
        _record(locked, member=member, program=program, actor=actor, now=now)
    return locked


def _coupon_issue(grant: RewardGrant, *, member: Member, program: Program, actor: Actor, now: datetime) -> None:
    """The claimed gift becomes a cash coupon for the step's categories (seed 002), issued in this transaction.

    Each step has a coupon template of its own, made on first claim and kept per amount and categories, so a
    step changed later gets a new template and coupons already issued keep the terms they were given with.
    """
    reward = grant.reward
    categories = sorted(reward.get("categories") or [])
    code = f"gift-{grant.step_id}-{reward['amount_minor']}-{zlib.crc32(','.join(categories).encode()):08x}"
    days = reward.get("valid_days")
    template, _created = CouponTemplate.objects.get_or_create(
        program=program, code=code,
        defaults={"kind": CouponTemplate.Kind.CASH, "amount_minor": reward["amount_minor"], "categories": categories,
                  "valid_days": days or _NO_END_DAYS, "stacking": CouponTemplate.Stacking.COMBINABLE},
    )  # fmt: skip
    # A gift not usable at once may pay from the next local day on.
    starts_at = None if reward.get("usable_at_once", True) else _next_local_day(now, program.timezone)
    coupon_issue(template=template, member=member, actor=actor, source=IssueSource("gift_ladder", grant.public_id),
                 now=now, starts_at=starts_at)  # fmt: skip


_NO_END_DAYS = 36_500  # a step without an end: a coupon needs one, so a hundred years


def _next_local_day(now: datetime, timezone: str) -> datetime:
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=zone)


def _require_claimable(grant: RewardGrant, *, timezone: str, now: datetime) -> None:
    zone = ZoneInfo(timezone)
    if grant.state == RewardGrant.State.CLAIMED:
        assert grant.claimed_at is not None
        raise RewardAlreadyClaimed(claimed_at=f"{grant.claimed_at.astimezone(zone):%Y-%m-%d %H:%M}")
    if grant.state == RewardGrant.State.REVOKED:
        raise RewardRevoked()
    if grant.state == RewardGrant.State.LOST or now >= grant.claim_until:
        raise RewardClaimClosed(claim_until=f"{grant.claim_until.astimezone(zone):%Y-%m-%d %H:%M}")


def _record(grant: RewardGrant, *, member: Member, program: Program, actor: Actor, now: datetime) -> None:
    audit_record(
        actor=actor,
        action="reward.claim",
        object_type="reward_grant",
        object_id=grant.public_id,
        now=now,
        details={"member": member.public_id, "month": grant.month.isoformat(), "step": grant.step_id,
                 "amount_minor": grant.reward.get("amount_minor"), "currency": grant.reward.get("currency")},
    )  # fmt: skip
    # Tells the member (and any other listener) the gift was claimed; the key makes a second enqueue a no-op.
    outbox_enqueue(
        kind=CLAIMED_KIND,
        payload={
            "grant_id": grant.public_id,
            "member_id": member.public_id,
            "program_id": program.public_id,
            "month": grant.month.isoformat(),
            "step_id": grant.step_id,
            "reward": grant.reward,
            "claimed_at": now.isoformat(),
            "store_id": actor.store_id,
        },
        now=now,
        locale=member.locale,
        dedupe_key=f"{CLAIMED_KIND}:{grant.public_id}",
    )

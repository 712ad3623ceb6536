"""Builders for gift-ladder tests: the seed 002 ladder, programme-local instants, and the checkout-side call."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tessera.kit.db import use_case
from tessera.ledger.services import member_accounts_lock
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.rewards.models import GiftLadder, RewardGrant
from tessera.rewards.services import StepSpec, gift_ladder_create, gift_ladder_record

# Seed 002, design 1: 1,000 / 2,000 / 3,000 points in a calendar month unlock cash coupons of 50 / 100 / 150
# yuan, valid only on clothing and usable at once. Amounts are in the currency's minor units (fen here).
SEED_NAMES = {
    1000: {"en": "50 yuan clothing coupon", "zh-hans": "50元服装现金券", "zh-hant": "50元服裝現金券",
           "ko": "50위안 의류 쿠폰"},
    2000: {"en": "100 yuan clothing coupon", "zh-hans": "100元服装现金券", "zh-hant": "100元服裝現金券",
           "ko": "100위안 의류 쿠폰"},
    3000: {"en": "150 yuan clothing coupon", "zh-hans": "150元服装现金券", "zh-hant": "150元服裝現金券",
           "ko": "150위안 의류 쿠폰"},
}  # fmt: skip


def seed_ladder(
    program: Program,
    *,
    amounts_minor: tuple[int, int, int] = (5000, 10000, 15000),
    claim_policy: str = GiftLadder.ClaimPolicy.END_OF_NEXT_MONTH,
    claim_days: int | None = None,
    active_from: date = date(2026, 1, 1),
    active_to: date | None = None,
) -> GiftLadder:
    steps = [
        StepSpec(threshold_points=t, amount_minor=a, categories=["clothing"], names=SEED_NAMES[t])
        for t, a in zip((1000, 2000, 3000), amounts_minor, strict=True)
    ]
    return gift_ladder_create(
        program=program, name="Monthly gift ladder", steps=steps, active_from=active_from, active_to=active_to,
        claim_policy=claim_policy, claim_days=claim_days,
    )  # fmt: skip


def local(timezone: str, *args: int) -> datetime:
    """An instant given as the wall clock in ``timezone``: local("Asia/Shanghai", 2026, 3, 31, 23, 59)."""
    return datetime(*args, tzinfo=ZoneInfo(timezone))  # type: ignore[misc]


def record(member: Member, points: int, event_at: datetime, now: datetime | None = None) -> list[RewardGrant]:
    """What checkout does: inside its transaction, with the member's accounts locked, record the points."""
    with use_case():
        member_accounts_lock(member_id=member.id)
        program = Program.objects.get(id=member.program_id)  # as checkout has it: read with the sale
        changed = gift_ladder_record(member_id=member.id, program=program, points=points, event_at=event_at,
                                     now=now or event_at)  # fmt: skip
    return sorted(RewardGrant.objects.filter(public_id__in=changed), key=lambda g: g.id)


def grants(member: Member) -> list[tuple[str, int, str]]:
    """Every gift of the member as (month, threshold, state), oldest month and lowest step first."""
    rows = RewardGrant.objects.filter(member=member).order_by("month", "step__threshold_points", "id")
    return [(g.month.strftime("%Y-%m"), g.step.threshold_points, g.state) for g in rows.select_related("step")]

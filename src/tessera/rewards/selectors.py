"""Reading a member's gift ladders: this month's points, the steps reached, the next one, and open gifts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import get_language

from tessera.members.models import Member
from tessera.rewards.models import GiftLadder, GiftStep, MemberPeriodPoints, RewardGrant
from tessera.rewards.rules import is_active, local_date, local_midnight, month_add, month_start


@dataclass(frozen=True, slots=True)
class StepView:
    step_id: int
    threshold_points: int
    name: str
    amount_minor: int
    currency: str
    categories: list[str]


@dataclass(frozen=True, slots=True)
class LadderProgress:
    """One ladder as the member stands on it this month."""

    ladder_id: int
    ladder_name: str
    month: date
    month_ends_at: datetime  # exclusive: the points of this month count until this instant
    points: int
    reached: list[StepView]
    next_step: StepView | None

    @property
    def points_to_next(self) -> int | None:
        return None if self.next_step is None else self.next_step.threshold_points - self.points

    def as_dict(self) -> dict[str, Any]:
        return {
            "ladder_id": self.ladder_id, "name": self.ladder_name, "month": self.month.isoformat(),
            "month_ends_at": self.month_ends_at.isoformat(), "points": self.points,
            "reached": [s.threshold_points for s in self.reached],
            "next_threshold": self.next_step.threshold_points if self.next_step else None,
            "points_to_next": self.points_to_next,
        }  # fmt: skip


def step_name(step: GiftStep, language: str | None = None) -> str:
    """The step's name in ``language`` (default: the active one), else English, else any name it has."""
    names = {t.language_code: t.name for t in step.translations.all()}
    wanted = (language or get_language() or "en").lower()
    return names.get(wanted) or names.get("en") or next(iter(names.values()), "")


def gift_ladder_progress(*, member: Member, now: datetime) -> list[LadderProgress]:
    """Every ladder of the member's programme active today, with this month's points and the next step."""
    program = member.program
    today = local_date(now, program.timezone)
    month = month_start(today)
    ladders = [
        ladder
        for ladder in GiftLadder.objects.filter(program=program).prefetch_related("steps__translations")
        if is_active(today, active_from=ladder.active_from, active_to=ladder.active_to)
    ]
    counts = dict(
        MemberPeriodPoints.objects.filter(member=member, month=month, ladder__in=ladders).values_list(
            "ladder_id", "points"
        )
    )
    ends_at = local_midnight(month_add(month, 1), program.timezone)
    return [_progress(ladder, month, ends_at, counts.get(ladder.id, 0), program.currency) for ladder in ladders]


def _progress(ladder: GiftLadder, month: date, ends_at: datetime, points: int, currency: str) -> LadderProgress:
    views = [
        StepView(s.id, s.threshold_points, step_name(s), s.amount_minor, currency, list(s.categories))
        for s in ladder.steps.all()
    ]
    reached = [v for v in views if v.threshold_points <= points]
    above = [v for v in views if v.threshold_points > points]
    return LadderProgress(ladder.id, ladder.name, month, ends_at, points, reached, above[0] if above else None)


def reward_grant_list_open(*, member: Member, now: datetime) -> list[RewardGrant]:
    """Gifts the member can claim now, the soonest to close first."""
    return list(
        RewardGrant.objects.filter(member=member, state=RewardGrant.State.UNLOCKED, claim_until__gt=now)
        .select_related("step")
        .prefetch_related("step__translations")
        .order_by("claim_until", "id")
    )


def reward_grant_list_for_month(*, member: Member, month: date) -> list[RewardGrant]:
    """Every gift of one month in any state, lowest step first: the member's history of that month."""
    return list(
        RewardGrant.objects.filter(member=member, month=month)
        .select_related("step")
        .order_by("step__threshold_points", "id")
    )


def reward_grant_get_for_merchant(*, merchant_id: int, public_id: str) -> RewardGrant | None:
    """A gift by its public id, only if the merchant's stores serve its programme."""
    return (
        RewardGrant.objects.filter(public_id=public_id, program__participants__merchant_id=merchant_id)
        .select_related("member", "step")
        .first()
    )

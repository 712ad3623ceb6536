"""A member's progress for POS terminals: tier and next tier, this month's gift ladders, and expiring points."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router

from tessera.api.progress_schemas import MemberProgressOut
from tessera.kit.clock import now as clock_now
from tessera.kit.http import json_response
from tessera.members.errors import MemberNotFound
from tessera.members.models import Member
from tessera.members.selectors import member_get_for_merchant
from tessera.points.selectors import PointsExpiring, points_expiring_get, points_expiring_window_days
from tessera.rewards.models import RewardGrant
from tessera.rewards.selectors import (
    LadderProgress,
    StepView,
    gift_ladder_progress,
    reward_grant_list_open,
    step_name,
)
from tessera.stores.api.auth import TERMINAL_AUTH, terminal_of
from tessera.tiers.rules.windows import local_date
from tessera.tiers.selectors import tier_progress_get

router = Router(tags=["members"], auth=TERMINAL_AUTH)


@router.get(
    "/members/{member_ref}/progress",
    response=MemberProgressOut,
    summary="A member's tier progress, gift ladders this month and points expiring soon",
)
def member_progress(request: HttpRequest, member_ref: str) -> HttpResponse:
    """``member_ref`` is a member id, card number or card code, as for the other member endpoints.

    Names come in the language of the request's Accept-Language header.
    """
    member = member_get_for_merchant(merchant_id=terminal_of(request).store.merchant_id, reference=member_ref)
    if member is None:
        raise MemberNotFound()
    return json_response(_body(member, now=clock_now(), language=get_language() or "en"))


def _body(member: Member, *, now: datetime, language: str) -> dict[str, Any]:
    program = member.program
    today = local_date(now, program.timezone)  # tier windows and gift months run on the programme's calendar
    tier = tier_progress_get(member_id=member.id, program_id=program.id, language=language, today=today)
    within_days = points_expiring_window_days(program=program)
    return {
        "member_id": member.public_id,
        "program_id": program.public_id,
        "as_of": now.isoformat(),
        "local_date": today.isoformat(),
        "tier": tier.as_dict() if tier is not None else None,
        "gift_ladders": [_ladder(p) for p in gift_ladder_progress(member=member, now=now)],
        "open_gifts": [_gift(g) for g in reward_grant_list_open(member=member, now=now)],
        "points_expiring": _expiring(points_expiring_get(member_id=member.id, now=now, within_days=within_days)),
    }


def _ladder(progress: LadderProgress) -> dict[str, Any]:
    return {
        "ladder_id": progress.ladder_id,
        "name": progress.ladder_name,
        "month": progress.month.isoformat(),
        "month_ends_at": progress.month_ends_at.isoformat(),
        "points": progress.points,
        "reached": [_step(s) for s in progress.reached],
        "next_step": _step(progress.next_step) if progress.next_step is not None else None,
        "points_to_next": progress.points_to_next,
    }


def _step(step: StepView) -> dict[str, Any]:
    return {
        "threshold_points": step.threshold_points,
        "name": step.name,
        "amount_minor": step.amount_minor,
        "currency": step.currency,
        "categories": step.categories,
    }


def _gift(grant: RewardGrant) -> dict[str, Any]:
    # Value and currency as frozen on the gift when it unlocked: a later change to the step does not alter it.
    return {
        "gift_id": grant.public_id,
        "name": step_name(grant.step),
        "month": grant.month.isoformat(),
        "threshold_points": grant.step.threshold_points,
        "amount_minor": grant.reward["amount_minor"],
        "currency": grant.reward["currency"],
        "unlocked_at": grant.unlocked_at.isoformat(),
        "claim_until": grant.claim_until.isoformat(),
    }


def _expiring(expiring: PointsExpiring) -> dict[str, Any]:
    return {
        "within_days": expiring.within_days,
        "until": expiring.until.isoformat(),
        "total": expiring.total,
        "expiries": [{"expires_at": at.isoformat(), "points": points} for at, points in expiring.expiries],
    }

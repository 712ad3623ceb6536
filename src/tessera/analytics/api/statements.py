"""A member's value statement for POS terminals: the figures, and the texts in the member's own language."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from tessera.access.operations import operations_declare
from tessera.access.rules import Action
from tessera.access.terminals import terminal_actor
from tessera.analytics.statements import ValueStatement, value_statement
from tessera.analytics.statements_text import StatementMessage, statement_render
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.errors import MemberNotFound
from tessera.members.selectors import member_get_for_merchant
from tessera.stores.api.auth import TERMINAL_AUTH

router = Router(tags=["value statements"], auth=TERMINAL_AUTH)

operations_declare({("GET", "/api/v1/members/{member_id}/statement"): Action.MEMBER_VIEW})


class PeriodOut(Schema):
    start: date = Field(..., description="First local day averaged.")
    end: date = Field(..., description="Last local day averaged (included).")
    days: int = Field(..., description="Days averaged: 56 (8 complete weeks), or fewer since enrolment.")
    since_enrolment: bool = Field(..., description="True when the member joined less than 8 weeks ago.")


class TargetOut(Schema):
    kind: str = Field(..., description="`tier` (the next tier) or `gift` (a monthly gift-ladder step).")
    name: str = Field(..., description="The tier's or gift's name in the member's language.")
    weekly_spend_minor: int = Field(..., description="Weekly spend that reaches it, rounded up.")
    by: date = Field(..., description="Reached by this local day (a gift: within each month).")
    points_at_year_end: int = Field(..., description="Points held at year end at that weekly spend.")
    points_at_year_end_minor: int = Field(..., description="What they pay for at the till, rounded down.")


class SavingsOut(Schema):
    tier_discount_minor: int
    coupons_minor: int
    stored_value_bonus_minor: int
    points_redeemed_minor: int
    total_minor: int


class TextsOut(Schema):
    language: str = Field(..., description="The member's language: en, zh-hans, zh-hant or ko.")
    subject: str
    sms: str = Field(..., description="The short, SMS-length variant.")
    body: str = Field(..., description="The longer e-mail or plain-text variant.")


class StatementOut(Schema):
    member_id: str
    currency: str
    local_date: date = Field(..., description="The programme-local day the statement is for.")
    period: PeriodOut
    sales_count: int = Field(..., description="Sales in the period averaged.")
    weekly_spend_minor: int = Field(..., description="Average weekly net spend, rounded down.")
    basket_minor: int = Field(..., description="The typical basket the projection earns on.")
    points_balance: int
    points_balance_minor: int = Field(..., description="What the balance pays for at the till, rounded down.")
    points_expiring: int = Field(..., description="Points of the balance lapsing by 31 December.")
    year_end: date
    points_earned_by_year_end: int = Field(..., description="Points the weekly pace earns from today to 31 December.")
    points_at_year_end: int = Field(..., description="Balance less expiring points plus those earned.")
    points_at_year_end_minor: int = Field(..., description="What they pay for at the till, rounded down.")
    next_target: TargetOut | None = Field(None, description="The nearest reward a higher weekly spend reaches.")
    savings_this_year: SavingsOut = Field(..., description="Money membership saved since 1 January.")
    texts: TextsOut


@router.get(
    "/members/{member_id}/statement",
    response=StatementOut,
    summary="A member's value statement: weekly pace, points by year end, next reward, savings this year",
)
def member_statement(request: HttpRequest, member_id: str) -> HttpResponse:
    """``member_id`` is a member id, card number or card code. Texts are in the member's language, whatever the
    request's; money in minor units of the programme's currency; dates on the programme's calendar."""
    actor = terminal_actor(request, store_code=None, action=Action.MEMBER_VIEW)
    member = member_get_for_merchant(merchant_id=actor.merchant_id, reference=member_id)
    if member is None:
        raise MemberNotFound()
    today = now().astimezone(ZoneInfo(member.program.timezone)).date()
    statement = value_statement(member, today=today)
    return json_response(statement_body(statement, statement_render(statement)))


def statement_body(s: ValueStatement, texts: StatementMessage) -> dict[str, Any]:
    target = s.target
    return {
        "member_id": s.member_id, "currency": s.currency, "local_date": s.today.isoformat(),
        "period": {"start": s.period.start.isoformat(), "end": s.period.last_day.isoformat(), "days": s.period.days,
                   "since_enrolment": s.period.since_enrolment},
        "sales_count": s.sales_count, "weekly_spend_minor": s.weekly_spend_minor, "basket_minor": s.basket_minor,
        "points_balance": s.points_balance, "points_balance_minor": s.points_balance_minor,
        "points_expiring": s.points_expiring, "year_end": s.year_end.isoformat(),
        "points_earned_by_year_end": s.points_earned_by_year_end, "points_at_year_end": s.points_at_year_end,
        "points_at_year_end_minor": s.points_at_year_end_minor,
        "next_target": None if target is None else {
            "kind": target.kind, "name": target.name, "weekly_spend_minor": target.weekly_minor,
            "by": target.by.isoformat(), "points_at_year_end": s.target_points_at_year_end,
            "points_at_year_end_minor": s.target_points_at_year_end_minor,
        },
        "savings_this_year": {
            "tier_discount_minor": s.savings.tier_discount_minor, "coupons_minor": s.savings.coupons_minor,
            "stored_value_bonus_minor": s.savings.stored_value_bonus_minor,
            "points_redeemed_minor": s.savings.points_redeemed_minor, "total_minor": s.savings.total_minor,
        },
        "texts": {"language": texts.language, "subject": texts.subject, "sms": texts.sms, "body": texts.body},
    }  # fmt: skip

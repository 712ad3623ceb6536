"""Headquarters API for lifetime value (docs/lifetime-value.md): the programme's fitted models and its members'
predicted value, the most valuable first, or one member's."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from tessera.access.api import STAFF_AUTH
from tessera.access.operations import operations_declare
from tessera.access.rules import Action
from tessera.analytics.lifetime import MAX_MONTHS, MemberValue, ProgramFit, program_fit_cached, values
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.api.staff import program_for_staff
from tessera.members.errors import MemberNotFound
from tessera.members.lifecycle import program_local_date
from tessera.members.models import Member

router = Router(tags=["lifetime value"], auth=STAFF_AUTH)
_PATH = "/programs/{program_id}/analytics/lifetime-value"
operations_declare({("GET", f"/api/v1{_PATH}"): Action.REPORT_VIEW})


class ValueQuery(Schema):
    months: int = Field(12, ge=1, le=MAX_MONTHS, description="Horizon in months.")
    monthly_discount_bp: int = Field(100, ge=0, le=1000, description="Discount rate per month, basis points.")
    limit: int = Field(50, ge=1, le=1000, description="How many members, the most valuable first.")
    member: str | None = Field(None, description="One member's public id instead of the list.")


class MemberValueOut(Schema):
    member_id: str
    purchases: int
    probability_alive: float
    expected_purchases: float
    expected_spend_minor: int | None
    lifetime_value_minor: int | None


class LifetimeValueOut(Schema):
    program_id: str
    currency: str
    end: str = Field(..., description="The last day of purchases the fit read, in the programme's time zone.")
    fitted: bool
    reason: str = Field(..., description="Why there is no fit; empty when there is one.")
    bgnbd: dict[str, float] | None
    gamma_gamma: dict[str, float] | None
    members_fitted: int
    total_value_minor: int | None
    members: list[MemberValueOut]


def _member_out(value: MemberValue, public_ids: dict[int, str]) -> dict[str, object]:
    return {"member_id": public_ids[value.member_id], "purchases": value.purchases,
            "probability_alive": round(value.probability_alive, 6),
            "expected_purchases": round(value.expected_purchases, 4),
            "expected_spend_minor": value.expected_spend_minor,
            "lifetime_value_minor": value.lifetime_value_minor}  # fmt: skip


def _params(fit: ProgramFit) -> dict[str, object]:
    b = fit.bgnbd.params
    g = fit.gamma_gamma.params if fit.gamma_gamma else None
    return {"bgnbd": {"r": b.r, "alpha": b.alpha, "a": b.a, "b": b.b},
            "gamma_gamma": {"p": g.p, "q": g.q, "gamma": g.gamma} if g else None}  # fmt: skip


@router.get(_PATH, response=LifetimeValueOut, summary="Members' predicted lifetime value, the most valuable first")
def lifetime_value_view(request: HttpRequest, program_id: str, query: Query[ValueQuery]) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id, Action.REPORT_VIEW)
    end = program_local_date(program, now()) - timedelta(days=1)
    body: dict[str, object] = {"program_id": program.public_id, "currency": program.currency, "end": end.isoformat()}
    fit = program_fit_cached(program=program, end=end)
    if isinstance(fit, str):
        empty: dict[str, object] = {
            "bgnbd": None,
            "gamma_gamma": None,
            "members_fitted": 0,
            "total_value_minor": None,
            "members": [],
        }
        return json_response(body | {"fitted": False, "reason": fit} | empty)
    found = values(fit, months=query.months, monthly_discount=query.monthly_discount_bp / 10_000)
    if query.member is not None:
        member = Member.objects.filter(program=program, public_id=query.member).first()
        if member is None:
            raise MemberNotFound()
        chosen = [v for v in found if v.member_id == member.id]
    else:
        chosen = sorted(found, key=lambda v: (-(v.lifetime_value_minor or 0), v.member_id))[: query.limit]
    public_ids = dict(Member.objects.filter(id__in=[v.member_id for v in chosen]).values_list("id", "public_id"))
    total = None if fit.gamma_gamma is None else sum(v.lifetime_value_minor or 0 for v in found)
    return json_response(body | {"fitted": True, "reason": "", **_params(fit), "members_fitted": len(found),
                                 "total_value_minor": total,
                                 "members": [_member_out(v, public_ids) for v in chosen]})  # fmt: skip

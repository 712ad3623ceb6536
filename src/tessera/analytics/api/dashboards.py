"""Headquarters API for the member intelligence dashboards (docs/dashboards.md): the latest RFM run's counts,
cohort retention and the tier distribution with its diamond verdict, as figures (the console draws them).

Staff tokens of the programme owner's merchant-wide roles with ``report.view`` (the operations centre, auditors);
any other programme is one 404, whether it exists or not.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Query, Router, Schema
from pydantic import Field

from tessera.access.api import STAFF_AUTH
from tessera.access.operations import operations_declare
from tessera.access.rules import Action
from tessera.analytics.dashboards import COHORT_MONTHS, cohort_retention, tier_distribution
from tessera.analytics.selectors import (
    Count,
    rfm_grid,
    rfm_group_counts,
    rfm_run_latest,
    rfm_segment_counts,
    rfm_stage_counts,
)
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.api.staff import program_for_staff

router = Router(tags=["analytics"], auth=STAFF_AUTH)
_PROGRAM = "/api/v1/programs/{program_id}/analytics"
operations_declare(
    {
        ("GET", f"{_PROGRAM}/rfm"): Action.REPORT_VIEW,
        ("GET", f"{_PROGRAM}/cohorts"): Action.REPORT_VIEW,
        ("GET", f"{_PROGRAM}/tiers"): Action.REPORT_VIEW,
    }
)


class CountOut(Schema):
    code: str
    label: str = Field(..., description="In the request's language (Accept-Language).")
    members: int
    net_spend_minor: int


class RfmOut(Schema):
    program_id: str
    reference_date: str | None = Field(..., description="The latest run's; null (and no counts) before the first.")
    members_scored: int
    grid: list[list[int]] = Field(..., description="Members per cell: grid[R - 1][F - 1].")
    segments: list[CountOut]
    working_groups: list[CountOut]
    stages: list[CountOut] = Field(..., description="Funnel order: new, active, reactivated, at risk, lapsed.")


class CohortOut(Schema):
    month: str = Field(..., description="YYYY-MM of the first purchase, in the programme's time zone.")
    members: int
    retained: list[int] = Field(..., description="Members buying again in each later month, up to this one.")


class CohortsOut(Schema):
    program_id: str
    timezone: str
    cohorts: list[CohortOut]


class TierOut(Schema):
    rank: int
    code: str
    name: str
    members: int


class TiersOut(Schema):
    program_id: str
    members: int
    tiers: list[TierOut] = Field(..., description="The active ladder's tiers, the base tier (rank 0) first.")
    is_diamond: bool
    findings: list[str] = Field(..., description="The tier designer's shape findings (codes), the verdict first.")
    verdict: str


def _counts(counts: list[Count]) -> list[dict[str, object]]:
    return [{"code": c.code, "label": c.label, "members": c.members, "net_spend_minor": c.net_spend_minor}
            for c in counts]  # fmt: skip


@router.get(f"{_PROGRAM.removeprefix('/api/v1')}/rfm", response=RfmOut, summary="The latest RFM run's counts")
def rfm_view(request: HttpRequest, program_id: str) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id, Action.REPORT_VIEW)
    run = rfm_run_latest(program=program)
    if run is None:
        counts: dict[str, object] = {name: [] for name in ("grid", "segments", "working_groups", "stages")}
        return json_response({"program_id": program.public_id, "reference_date": None, "members_scored": 0, **counts})
    return json_response({
        "program_id": program.public_id, "reference_date": run.reference_date.isoformat(),
        "members_scored": run.members_scored, "grid": rfm_grid(run=run),
        "segments": _counts(rfm_segment_counts(run=run)), "working_groups": _counts(rfm_group_counts(run=run)),
        "stages": _counts(rfm_stage_counts(run=run)),
    })  # fmt: skip


class CohortsQuery(Schema):
    months: int = Field(COHORT_MONTHS, ge=1, le=36, description="How many months of cohorts, the current last.")


@router.get(f"{_PROGRAM.removeprefix('/api/v1')}/cohorts", response=CohortsOut, summary="Cohort retention")
def cohorts_view(request: HttpRequest, program_id: str, query: Query[CohortsQuery]) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id, Action.REPORT_VIEW)
    cohorts = cohort_retention(program=program, now=now(), months=query.months)
    rows = [{"month": c.month.strftime("%Y-%m"), "members": c.members, "retained": list(c.retained)} for c in cohorts]
    return json_response({"program_id": program.public_id, "timezone": program.timezone, "cohorts": rows})


@router.get(f"{_PROGRAM.removeprefix('/api/v1')}/tiers", response=TiersOut, summary="Members per tier")
def tiers_view(request: HttpRequest, program_id: str) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id, Action.REPORT_VIEW)
    got = tier_distribution(program=program, language=get_language() or "en")
    if got is None:
        body = {"members": 0, "tiers": [], "is_diamond": False, "findings": [], "verdict": ""}
        return json_response({"program_id": program.public_id, **body})
    tiers = [{"rank": t.rank, "code": t.code, "name": t.name, "members": t.members} for t in got.tiers]
    return json_response({
        "program_id": program.public_id, "members": got.total, "tiers": tiers, "is_diamond": got.is_diamond,
        "findings": [f.code for f in got.findings], "verdict": got.verdict(),
    })  # fmt: skip

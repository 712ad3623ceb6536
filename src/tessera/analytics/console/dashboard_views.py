"""The member intelligence dashboard in the console: the RFM grid, segments, working groups, the lifecycle funnel,
the tier diamond, cohort retention and the store's due list, drawn as inline SVG (docs/dashboards.md).

Headquarters roles (reach: the merchant) read the whole programme. A store manager reads their own stores where
the figures can be split by store (cohorts by where members bought, tiers by where they enrolled, the due list of
the current store); RFM runs are scored for the whole programme, so their charts say so. Alliance administrators
act as no store, so the guard sends them away before any member figure is read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tessera.access.console.acting import Acting, acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import REACH, Action, Reach
from tessera.analytics import dashboards as d
from tessera.analytics.cycles import store_due
from tessera.analytics.models import RfmRun
from tessera.analytics.selectors import (
    rfm_grid,
    rfm_group_counts,
    rfm_run_latest,
    rfm_segment_counts,
    rfm_stage_counts,
)
from tessera.analytics.services import rfm_run_create
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.programs.models import Program

DUE_SHOWN = 10


def _program(acting: Acting) -> Program:
    assert acting.store is not None, "the guard lets no dashboard run without a store"
    program = Program.objects.filter(owner_id=acting.store.merchant_id).order_by("id").first()
    if program is None:
        raise Http404("no programme")
    return program


def store_ids_of(acting: Acting) -> list[int] | None:
    """None for the whole programme (merchant-wide roles, platform administrators); else the assigned stores."""
    scope = acting.scope
    if scope.is_platform_admin or REACH[scope.role] is Reach.MERCHANT:
        return None
    return sorted(scope.store_ids)


def _rfm(run: RfmRun, locale: str) -> dict[str, Any]:
    segments = [(c.code, c.label, c.members) for c in rfm_segment_counts(run=run)]
    groups = [(c.code, c.label, c.members) for c in rfm_group_counts(run=run)]
    stages = [(c.code, c.label, c.members) for c in rfm_stage_counts(run=run)]
    grid = rfm_grid(run=run)
    segment_bars, group_bars = d.bars(segments, locale), d.bars(groups, locale)
    funnel = d.bars(stages, locale, centred=True)
    return {
        "run": run, "grid": grid, "cells": d.rfm_grid_cells(grid, locale), "blocks": d.rfm_grid_blocks(),
        "axes": d.rfm_grid_axes(), "size": d.rfm_grid_size(),
        "segments": segment_bars, "segments_height": d.bars_height(segment_bars),
        "groups": group_bars, "groups_height": d.bars_height(group_bars),
        "funnel": funnel, "funnel_height": d.bars_height(funnel),
    }  # fmt: skip


def _tiers(program: Program, store_ids: list[int] | None, language: str, locale: str) -> dict[str, Any] | None:
    distribution = d.tier_distribution(program=program, language=language, store_ids=store_ids)
    if distribution is None:
        return None
    # The diamond is drawn top tier first; the base tier, below the shape the designer judges, comes last apart.
    paid = [(t.code, t.name, t.members) for t in reversed(distribution.tiers) if t.rank > 0]
    base = [(t.code, t.name, t.members) for t in distribution.tiers if t.rank == 0]
    diamond = d.bars(paid + base, locale, centred=True)
    diamond[len(paid) :] = [replace(bar, fill=d.HEAT[1]) for bar in diamond[len(paid) :]]
    return {"distribution": distribution, "bars": diamond, "height": d.bars_height(diamond),
            "verdict": distribution.verdict(), "is_diamond": distribution.is_diamond}  # fmt: skip


def _cohorts(program: Program, store_ids: list[int] | None, locale: str) -> dict[str, Any]:
    cohorts = d.cohorts_trimmed(d.cohort_retention(program=program, now=now(), store_ids=store_ids))
    lines = d.cohort_lines(cohorts, locale)
    offsets = range(1, max((len(c.retained) for c in cohorts), default=0) + 1)
    headers = [(k, d.COHORT_LABEL_W + d.COHORT_SIZE_W + (k - 1) * d.COHORT_CELL_W) for k in offsets]
    return {"lines": lines, "headers": headers, "width": d.cohort_width(cohorts),
            "size_x": d.COHORT_LABEL_W + d.COHORT_SIZE_W - 8,
            "height": (len(lines) + 1) * d.COHORT_CELL_H, "any": any(c.members for c in cohorts)}  # fmt: skip


def _due(acting: Acting) -> list[dict[str, Any]]:
    """The current store's members due soonest: the top of the due list (``console:cycles:due``), read the same
    way, so the two never disagree."""
    assert acting.store is not None
    rows = store_due(store=acting.store, now=now(), limit=DUE_SHOWN)
    return [{"member_id": r.member_id, "name": r.name, "category": r.rhythm.category, "reason": r.rhythm.reason(),
             "days": r.rhythm.days_until} for r in rows]  # fmt: skip


@require_GET
@console_view(Action.REPORT_VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    acting = acting_of(request)
    assert acting.store is not None
    program, store_ids = _program(acting), store_ids_of(acting)
    language = get_language() or "en"
    locale = d.babel_locale(language)
    run = rfm_run_latest(program=program)
    context = {
        "title": _("Member intelligence"), "program": program, "whole_programme": store_ids is None,
        "rfm": _rfm(run, locale) if run is not None else None,
        "may_score": acting.allows(Action.PROGRAM_CONFIGURE),
        "tiers": _tiers(program, store_ids, language, locale), "cohorts": _cohorts(program, store_ids, locale),
        "due": _due(acting), "due_store": acting.store,
        "bar_width": d.BAR_LEFT + d.BAR_AREA_W + 150, "bar_left": d.BAR_LEFT, "bar_right": d.BAR_LEFT + d.BAR_AREA_W,
    }  # fmt: skip
    return render(request, "analytics/dashboard/overview.html", context)


@require_POST
@console_view(Action.PROGRAM_CONFIGURE)
def score(request: HttpRequest) -> HttpResponse:
    """Score the programme now (the nightly job does it otherwise): for a new programme's first dashboard."""
    program = _program(acting_of(request))
    try:
        run = rfm_run_create(program=program, now=now())
    except DomainError as error:
        messages.error(request, error.text())
    else:
        messages.success(request, _("Members scored for %(date)s.") % {"date": run.reference_date.isoformat()})
    return redirect("console:analytics:overview")

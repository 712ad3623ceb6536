"""Reads of RFM runs, shaped for dashboards: counts come from a run's cells (a few hundred rows), never from a
scan of its member scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet, Sum

from tessera.analytics.models import RfmCell, RfmRun, RfmScore
from tessera.analytics.rules import SCORES, Segment, Stage, WorkingGroup, code_of
from tessera.members.models import Member
from tessera.programs.models import Program


@dataclass(frozen=True)
class Count:
    """Members in one segment, group or stage of a run; ``code`` is stable, ``label`` translated."""

    code: str
    label: str
    members: int
    net_spend_minor: int


def rfm_run_get(*, program: Program, reference_date: date) -> RfmRun | None:
    return RfmRun.objects.filter(program=program, reference_date=reference_date).first()


def rfm_run_latest(*, program: Program) -> RfmRun | None:
    return RfmRun.objects.filter(program=program).order_by("-reference_date").first()


def rfm_run_list(*, program: Program, limit: int = 30) -> list[RfmRun]:
    """The programme's newest runs first, for trends of the counts over time."""
    return list(RfmRun.objects.filter(program=program).order_by("-reference_date")[:limit])


def _counts(run: RfmRun, field: str, choices: type[Segment] | type[WorkingGroup] | type[Stage]) -> list[Count]:
    rows = RfmCell.objects.filter(run=run).values(field).annotate(members=Sum("members"), spend=Sum("monetary_sum"))
    totals = {row[field]: (int(row["members"]), int(row["spend"])) for row in rows}
    return [Count(code_of(c), str(c.label), *totals.get(c.value, (0, 0))) for c in choices]


def rfm_segment_counts(*, run: RfmRun) -> list[Count]:
    """Every segment of the R-F map in the map's order, with zero where a segment is empty."""
    return _counts(run, "segment", Segment)


def rfm_group_counts(*, run: RfmRun) -> list[Count]:
    """The four working groups, then the members in none of them."""
    counts = _counts(run, "working_group", WorkingGroup)
    return [*counts[1:], counts[0]]


def rfm_stage_counts(*, run: RfmRun) -> list[Count]:
    """Lifecycle stages in funnel order: new, active, reactivated, at risk, lapsed."""
    by_code = {count.code: count for count in _counts(run, "stage", Stage)}
    order = (Stage.NEW, Stage.ACTIVE, Stage.REACTIVATED, Stage.AT_RISK, Stage.LAPSED)
    return [by_code[code_of(stage)] for stage in order]


def rfm_grid(*, run: RfmRun) -> list[list[int]]:
    """Members per (R, F) cell for the RFM grid: ``grid[r - 1][f - 1]``."""
    grid = [[0] * len(SCORES) for _ in SCORES]
    rows = RfmCell.objects.filter(run=run).values("r_score", "f_score").annotate(members=Sum("members"))
    for row in rows:
        grid[row["r_score"] - 1][row["f_score"] - 1] = int(row["members"])
    return grid


def rfm_member_latest(*, member: Member) -> RfmScore | None:
    """The member's scores in their programme's latest run; None if it did not score them (no purchase yet, or
    scored only in runs whose member scores were pruned)."""
    run = RfmRun.objects.filter(program_id=member.program_id, scores_pruned_at__isnull=True)
    latest = run.order_by("-reference_date").first()
    if latest is None:
        return None
    return RfmScore.objects.filter(run=latest, member=member).first()


def rfm_member_ids(*, run: RfmRun, **lookups: object) -> QuerySet[RfmScore, int]:
    """The ids of the run's members whose scores match ``lookups`` (``r_score__gte=4``, ``segment__in=[...]``,
    ``stage=...``, ``working_group=...``, ``recency_days__lte=30``, ``frequency__gte=3``, ``monetary_minor__gte=...``),
    for ``member_id__in`` filters: the segment builder's one way into the scores, whatever stores them."""
    return RfmScore.objects.filter(run=run, **lookups).values_list("member_id", flat=True)

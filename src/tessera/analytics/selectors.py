"""Reads of RFM runs, shaped for dashboards: counts come from a run's cells (a few hundred rows); a member's scores
are computed from their statistics and the run's cuts and thresholds (one member in Python, many in SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, IntegerField, QuerySet, Sum
from django.db.models.expressions import RawSQL

from tessera.analytics import rfm_sql
from tessera.analytics.models import RfmCell, RfmRun
from tessera.analytics.rules import (
    SCORES,
    Segment,
    Stage,
    Thresholds,
    WorkingGroup,
    code_of,
    group_of,
    recency_score_of,
    score_of,
    segment_of,
    stage_of,
)
from tessera.members.models import Member, MemberStats
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


@dataclass(frozen=True)
class MemberRfm:
    """A member's values and scores in a run, from their statistics now and the run's cuts and thresholds."""

    member_id: int
    run_id: int
    recency_days: int
    frequency: int
    monetary_minor: int
    r_score: int
    f_score: int
    m_score: int
    segment: Segment
    working_group: WorkingGroup
    stage: Stage


def _run_rules(run: RfmRun) -> rfm_sql.RunRules:
    thresholds = Thresholds(run.typical_days, run.at_risk_days, run.lapsed_days, run.thresholds_source,
                            run.repeat_buyers)  # fmt: skip
    return rfm_sql.RunRules(run.reference_date, run.timezone, run.score_cuts, thresholds)


def rfm_member_latest(*, member: Member) -> MemberRfm | None:
    """The member's scores in their programme's latest run; None if there is none or the member is not in the
    scored population (no purchase yet, or closed). Scores are a function of the statistics, so a member who
    bought since the run is scored with that purchase against the run's cuts (recency 0 if after its reference
    date), while the run's counts stay as they were."""
    run = rfm_run_latest(program=member.program)
    stats = MemberStats.objects.filter(member=member, purchase_count__gt=0, last_purchase_at__isnull=False).first()
    if run is None or not run.score_cuts or stats is None or member.status == Member.Status.CLOSED:
        return None
    assert stats.last_purchase_at is not None
    zone, cuts = ZoneInfo(run.timezone), run.score_cuts
    last = stats.last_purchase_at.astimezone(zone).date()
    previous = stats.previous_purchase_at
    gap = (last - previous.astimezone(zone).date()).days if previous else None
    recency, frequency, monetary = max(0, (run.reference_date - last).days), stats.purchase_count, stats.net_spend_minor
    r = recency_score_of(recency, cuts["recency_days"])
    f, m = score_of(frequency, cuts["frequency"]), score_of(monetary, cuts["monetary_minor"])
    stage = stage_of(recency_days=recency, frequency=frequency, thresholds=_run_rules(run).thresholds, gap_days=gap)
    return MemberRfm(member.id, run.id, recency, frequency, monetary, r, f, m, segment_of(r, f),
                     group_of(r, f, m, monetary_minor=monetary), stage)  # fmt: skip


def rfm_scores(*, run: RfmRun) -> QuerySet[MemberStats]:
    """The run's scored population's statistics, annotated with the nine values of ``MemberRfm`` (but the ids)
    as SQL expressions over each row: filter, order or count by them as by columns. Empty for a run made before
    runs kept their cuts."""
    table = MemberStats._meta.db_table
    population = MemberStats.objects.filter(
        program_id=run.program_id, purchase_count__gt=0, last_purchase_at__isnull=False
    ).exclude(member__status=Member.Status.CLOSED)
    if not run.score_cuts:
        return population.none()
    columns = rfm_sql.member_columns(_run_rules(run), table)
    # RawSQL over text built by rfm_sql from the run's stored integers; every value is a parameter.
    return population.annotate(**{
        name: RawSQL(sql.text, sql.params, output_field=BigIntegerField() if name == "monetary_minor"  # noqa: S611
                     else IntegerField())
        for name, sql in columns.items()
    })  # fmt: skip


def rfm_member_ids(*, run: RfmRun, **lookups: object) -> QuerySet[MemberStats, int]:
    """The ids of the run's members whose scores match ``lookups`` (``r_score__gte=4``, ``segment__in=[...]``,
    ``stage=...``, ``working_group=...``, ``recency_days__lte=30``, ``frequency__gte=3``, ``monetary_minor__gte=...``),
    for ``member_id__in`` filters: the segment builder's one way into the scores, whatever computes them."""
    return rfm_scores(run=run).filter(**lookups).values_list("member_id", flat=True)

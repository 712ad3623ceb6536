"""Writes of the analytics area: RFM runs and the pruning of old runs' member scores."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tessera.analytics import rfm_sql
from tessera.analytics.errors import ReferenceDatePassed
from tessera.analytics.models import RfmCell, RfmRun, RfmScore
from tessera.analytics.rules import Cell, Thresholds, quintile_edges, thresholds_learn
from tessera.kit.db import assert_in_transaction, is_postgres, sql_rows, sql_run, use_case
from tessera.members.lifecycle import program_local_date
from tessera.programs.models import Program

# Member scores of this many newest runs per programme are kept by ``rfm_scores_prune``: the latest for the
# dashboards, the one before it for reactivation, and a week of nightly runs to compare with.
RUNS_KEPT = 8
WORK_MEM = "256MB"


def rfm_run_create(*, program: Program, reference_date: date | None = None, now: datetime) -> RfmRun:
    """Score the programme's members at ``reference_date`` (default: the programme-local day after ``now``).

    Learns the lifecycle thresholds, writes every scored member's scores, segment, working group and stage,
    and the run's cells and quintile edges, in one transaction. A second call for the same programme and
    reference date returns the run the first one made, unchanged.

    :raises ReferenceDatePassed: no run exists for the date and it is before today in the programme's time
        zone: the statistics hold each member's latest purchase only, so a past date cannot be scored.
    """
    today = program_local_date(program, now)
    wanted = reference_date or today + timedelta(days=1)
    with use_case():
        # The lock makes a concurrent call for the same date wait here and then find this run. NO KEY: checkout
        # and enrolment, which only reference the programme row, are not held up.
        Program.objects.select_for_update(no_key=True).filter(id=program.id).get()
        existing = RfmRun.objects.filter(program=program, reference_date=wanted).first()
        if existing is not None:
            return existing
        if wanted < today:
            raise ReferenceDatePassed(reference_date=wanted.isoformat(), today=today.isoformat())
        _planner_settings()
        thresholds = _thresholds_learn(program=program)
        run = RfmRun.objects.create(
            program=program, reference_date=wanted, timezone=program.timezone, currency=program.currency,
            created_at=now, previous=_previous(program=program, before=wanted), repeat_buyers=thresholds.repeat_buyers,
            typical_days=thresholds.typical_days, at_risk_days=thresholds.at_risk_days,
            lapsed_days=thresholds.lapsed_days, thresholds_source=thresholds.source,
        )  # fmt: skip
        _scores_write(run=run, thresholds=thresholds)
        return run


def _planner_settings() -> None:
    """On PostgreSQL, for this transaction only: memory for the run's sorts and hashes (a million members' rows
    sort in memory instead of in temporary files), and no JIT, whose compiling took half a second of a run and
    gained nothing on these plans (bench/segments.py)."""
    assert_in_transaction()
    if is_postgres():
        sql_run(f"SET LOCAL work_mem = '{WORK_MEM}'")
        sql_run("SET LOCAL jit = off")


def _thresholds_learn(*, program: Program) -> Thresholds:
    assert_in_transaction()
    query = rfm_sql.intervals_quantiles(program_id=program.id, timezone=program.timezone)
    ((repeat_buyers, *picked),) = sql_rows(query.text, query.params)
    # PostgreSQL answers with one array of the three (None when nobody repeated), SQLite with three columns.
    quantiles = (picked[0] or [None] * 3) if is_postgres() else picked
    return thresholds_learn(repeat_buyers=int(repeat_buyers), quantiles=quantiles)


def _previous(*, program: Program, before: date) -> RfmRun | None:
    """The programme's latest run before ``before`` whose member scores are still there."""
    runs = RfmRun.objects.filter(program=program, reference_date__lt=before, scores_pruned_at__isnull=True)
    return runs.order_by("-reference_date").first()


def _scores_write(*, run: RfmRun, thresholds: Thresholds) -> None:
    assert_in_transaction()
    scores = rfm_sql.scores_insert(
        run_id=run.id, previous_id=run.previous_id, program_id=run.program_id, timezone=run.timezone,
        reference_date=run.reference_date, thresholds=thresholds,
    )  # fmt: skip
    run.members_scored = sql_run(scores.text, scores.params)
    cells = rfm_sql.cells_insert(run_id=run.id)
    if is_postgres():
        # The planner has no statistics for a run written in this very transaction, expects one row and sorts
        # the million to group them (1.1 s); hashing into the few hundred cells takes a third of that.
        sql_run("SET LOCAL enable_sort = off")
    sql_run(cells.text, cells.params)
    if is_postgres():
        sql_run("SET LOCAL enable_sort = on")
    rows = RfmCell.objects.filter(run=run).values_list(*rfm_sql.CELL_COLUMNS)
    run.quintile_edges = quintile_edges(Cell(*row) for row in rows)
    run.save(update_fields=["members_scored", "quintile_edges"])


def rfm_scores_prune(*, program: Program, keep: int = RUNS_KEPT, now: datetime) -> int:
    """Delete the member scores of the programme's runs older than its ``keep`` newest; the runs and their
    cells stay. Returns the number of runs pruned."""
    with use_case():
        runs = RfmRun.objects.filter(program=program, scores_pruned_at__isnull=True).order_by("-reference_date")
        old = list(runs.values_list("id", flat=True)[keep:])
        if not old:
            return 0
        # The one place member scores are deleted: whole runs at once, oldest kept rows never half gone.
        RfmScore.objects.filter(run_id__in=old).delete()
        return RfmRun.objects.filter(id__in=old).update(scores_pruned_at=now)

"""Writes of the analytics area: RFM runs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tessera.analytics import rfm_arrays, rfm_sql
from tessera.analytics.errors import ReferenceDatePassed
from tessera.analytics.models import RfmCell, RfmRun
from tessera.analytics.rules import Cell, quintile_edges
from tessera.kit.db import assert_in_transaction, is_postgres, sql_run, use_case
from tessera.members.lifecycle import program_local_date
from tessera.programs.models import Program

WORK_MEM = "64MB"
PARALLEL_WORKERS = 2


def rfm_run_create(*, program: Program, reference_date: date | None = None, now: datetime) -> RfmRun:
    """Score the programme's members at ``reference_date`` (default: the programme-local day after ``now``).

    Reads the scored members' statistics once, learns the lifecycle thresholds and each score's cuts, and writes
    the run (thresholds, cuts, quintile edges) and its cells, in one transaction; no row per member (a member's
    scores follow from their statistics and the run: ``selectors.rfm_member_latest``, ``rfm_member_ids``). A
    second call for the same programme and reference date returns the run the first one made, unchanged.

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
        population = rfm_sql.population_fetch(program_id=program.id)
        scored = rfm_arrays.score(population, reference_date=wanted, timezone=program.timezone)
        t, cells = scored.thresholds, rfm_arrays.cells_of(scored)
        run = RfmRun.objects.create(
            program=program, reference_date=wanted, timezone=program.timezone, currency=program.currency,
            created_at=now, previous=_previous(program=program, before=wanted), repeat_buyers=t.repeat_buyers,
            typical_days=t.typical_days, at_risk_days=t.at_risk_days, lapsed_days=t.lapsed_days,
            thresholds_source=t.source, members_scored=int(scored.r.size), score_cuts=scored.cuts,
            quintile_edges=quintile_edges(cells),
        )  # fmt: skip
        _cells_write(run=run, cells=cells)
        return run


def _planner_settings() -> None:
    """On PostgreSQL, for this transaction only: no JIT, whose compiling took half a second of a run and gained
    nothing (bench/segments.py), and up to two parallel workers for the one read, which PostgreSQL 16 and later
    can use (15 cannot run ``string_agg`` in parallel, so its plan stays serial)."""
    assert_in_transaction()
    if is_postgres():
        sql_run(f"SET LOCAL work_mem = '{WORK_MEM}'")
        sql_run("SET LOCAL jit = off")
        sql_run(f"SET LOCAL max_parallel_workers_per_gather = {PARALLEL_WORKERS}")


def _previous(*, program: Program, before: date) -> RfmRun | None:
    """The programme's latest run before ``before``."""
    return RfmRun.objects.filter(program=program, reference_date__lt=before).order_by("-reference_date").first()


def _cells_write(*, run: RfmRun, cells: list[Cell]) -> None:
    assert_in_transaction()
    RfmCell.objects.bulk_create(
        RfmCell(run=run, r_score=c.r, f_score=c.f, m_score=c.m, segment=c.segment, working_group=c.group,
                stage=c.stage, members=c.members, recency_min=c.recency_min, recency_max=c.recency_max,
                frequency_min=c.frequency_min, frequency_max=c.frequency_max, monetary_min=c.monetary_min,
                monetary_max=c.monetary_max, monetary_sum=c.monetary_sum)
        for c in cells
    )  # fmt: skip

"""The SQL of an RFM run: learned thresholds, the scores (one INSERT ... SELECT) and the cells (one GROUP BY).

Everything reads ``members.MemberStats``, the running totals checkout keeps per member, never the sales. The
statements run unchanged on SQLite (3.25 or later: window functions) and PostgreSQL except for two
expressions: a timestamp's local date in the programme's time zone (Django's own per-backend SQL, which on
SQLite calls the function Django registers) and a difference of two dates in days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from tessera.analytics.models import RfmCell, RfmScore
from tessera.analytics.rules import (
    AT_RISK_PERCENT,
    LAPSED_PERCENT,
    TYPICAL_PERCENT,
    Stage,
    Thresholds,
    group_sql,
    segment_sql,
)
from tessera.members.models import Member, MemberStats

STATS = MemberStats._meta.db_table
MEMBERS = Member._meta.db_table
SCORES = RfmScore._meta.db_table
CELLS = RfmCell._meta.db_table


@dataclass(frozen=True)
class Sql:
    text: str
    params: list[Any]


def _local_date(column: str, timezone: str) -> Sql:
    text, params = connection.ops.datetime_cast_date_sql(column, (), timezone)
    return Sql(text, list(params))


def _days_between(later: Sql, earlier: Sql) -> Sql:
    """Whole days from the date ``earlier`` to the date ``later`` (both SQL dates)."""
    if connection.vendor == "postgresql":
        return Sql(f"({later.text} - {earlier.text})", later.params + earlier.params)
    return Sql(f"CAST(julianday({later.text}) - julianday({earlier.text}) AS INTEGER)", later.params + earlier.params)


def _date_param(day: date) -> Sql:
    return Sql("CAST(%s AS date)" if connection.vendor == "postgresql" else "%s", [day.isoformat()])


# The scored population: the programme's members, other than closed ones, with at least one purchase. Members
# whose returns cancelled everything they bought stay in it (net spend 0 or less; docs/analytics.md says why).
_SCORED = (
    f" FROM {STATS} s JOIN {MEMBERS} mm ON mm.id = s.member_id"
    " WHERE mm.program_id = %s AND mm.status <> 'closed' AND s.purchase_count > 0 AND s.last_purchase_at IS NOT NULL"
)


def intervals_quantiles(*, program_id: int, timezone: str) -> Sql:
    """One row: the number of repeat buyers with purchases on two or more days, and the nearest-rank 50th, 80th
    and 95th percentiles of their mean interval between purchases, (last - first) / (purchases - 1), in days.

    PostgreSQL's ``percentile_disc`` is the nearest-rank quantile, all three from one sort (as an array);
    SQLite has no ordered-set aggregates, so there the same positions, ceil(p n / 100), are picked out of
    ROW_NUMBER (both tested against the same figures).
    """
    span = _days_between(_local_date("s.last_purchase_at", timezone), _local_date("s.first_purchase_at", timezone))
    intervals = (
        "SELECT CAST(span AS DOUBLE PRECISION) / (purchase_count - 1) AS d FROM ("
        f" SELECT {span.text} AS span, s.purchase_count {_SCORED} AND s.purchase_count >= 2"
        ") AS repeaters WHERE span > 0"
    )
    percents = (TYPICAL_PERCENT, AT_RISK_PERCENT, LAPSED_PERCENT)
    if connection.vendor == "postgresql":
        fractions = ", ".join(str(p / 100) for p in percents)
        text = f"SELECT COUNT(*), percentile_disc(ARRAY[{fractions}]) WITHIN GROUP (ORDER BY d) FROM ({intervals}) i"
        return Sql(text, [*span.params, program_id])
    picks = ", ".join(f"MIN(CASE WHEN k = ({p} * n + 99) / 100 THEN d END)" for p in percents)
    text = (
        f"SELECT COUNT(*), {picks} FROM ("
        f" SELECT d, ROW_NUMBER() OVER (ORDER BY d) AS k, COUNT(*) OVER () AS n FROM ({intervals}) AS intervals"
        ") AS ranked"
    )
    return Sql(text, [*span.params, program_id])


def _stage(thresholds: Thresholds, *, with_previous: bool) -> Sql:
    """The stage CASE of ``rules.stage_of`` over the ranked row ``q`` and the previous run's row ``p``."""
    reactivated = (
        f" WHEN p.stage IN ({Stage.AT_RISK.value}, {Stage.LAPSED.value}) AND q.frequency > p.frequency"
        f" THEN {Stage.REACTIVATED.value}"
        f" WHEN p.stage = {Stage.REACTIVATED.value} AND q.frequency <= p.frequency THEN {Stage.REACTIVATED.value}"
        if with_previous
        else ""
    )
    text = (
        f"CASE WHEN q.recency_days > %s THEN {Stage.LAPSED.value}"
        f" WHEN q.recency_days > %s THEN {Stage.AT_RISK.value}{reactivated}"
        f" WHEN q.frequency = 1 AND q.recency_days <= %s THEN {Stage.NEW.value}"
        f" ELSE {Stage.ACTIVE.value} END"
    )
    return Sql(text, [thresholds.lapsed_days, thresholds.at_risk_days, thresholds.typical_days])


def scores_insert(
    *, run_id: int, previous_id: int | None, program_id: int, timezone: str, reference_date: date,
    thresholds: Thresholds,
) -> Sql:  # fmt: skip
    """Score every member of the scored population in one statement.

    Each score is NTILE(5) over the value, ties broken by member id (lower id first), so a run is
    deterministic: R over recency ascending, turned round (the most recent fifth scores 5), F over purchases, M
    over net spend. Segment, working group and stage follow from the scores in the same statement.
    """
    recency = _days_between(_date_param(reference_date), _local_date("s.last_purchase_at", timezone))
    stage = _stage(thresholds, with_previous=previous_id is not None)
    previous = f" LEFT JOIN {SCORES} p ON p.run_id = %s AND p.member_id = q.member_id" if previous_id else ""
    text = (
        f"INSERT INTO {SCORES} (run_id, member_id, recency_days, frequency, monetary_minor, r_score, f_score,"
        " m_score, segment, working_group, stage)"
        " SELECT %s, q.member_id, q.recency_days, q.frequency, q.monetary_minor, q.r, q.f, q.m,"
        f" {segment_sql('q.r', 'q.f')}, {group_sql('q.r', 'q.f', 'q.m', 'q.monetary_minor')}, {stage.text}"
        " FROM (SELECT b.member_id, b.recency_days, b.frequency, b.monetary_minor,"
        "  6 - NTILE(5) OVER (ORDER BY b.recency_days, b.member_id) AS r,"
        "  NTILE(5) OVER (ORDER BY b.frequency, b.member_id) AS f,"
        "  NTILE(5) OVER (ORDER BY b.monetary_minor, b.member_id) AS m"
        f"  FROM (SELECT s.member_id, {recency.text} AS recency_days, s.purchase_count AS frequency,"
        f"   s.spend_minor - s.refund_minor AS monetary_minor {_SCORED}) AS b) AS q"
        f"{previous}"
        # In member order, so the primary key's B-tree grows at its right edge instead of splitting pages all
        # over: a quarter of the statement's time at a million members.
        " ORDER BY q.member_id"
    )
    params = [run_id, *stage.params, *recency.params, program_id, *([previous_id] if previous_id else [])]
    return Sql(text, params)


CELL_COLUMNS = (
    "r_score", "f_score", "m_score", "working_group", "stage", "members", "recency_min", "recency_max",
    "frequency_min", "frequency_max", "monetary_min", "monetary_max",
)  # fmt: skip


def cells_insert(*, run_id: int) -> Sql:
    """Summarise the run's scores into its cells with one GROUP BY."""
    text = (
        f"INSERT INTO {CELLS} (run_id, segment, {', '.join(CELL_COLUMNS)}, monetary_sum)"
        " SELECT run_id, segment, r_score, f_score, m_score, working_group, stage, COUNT(*),"
        " MIN(recency_days), MAX(recency_days), MIN(frequency), MAX(frequency), MIN(monetary_minor),"
        f" MAX(monetary_minor), SUM(monetary_minor) FROM {SCORES} WHERE run_id = %s"
        " GROUP BY run_id, segment, r_score, f_score, m_score, working_group, stage"
    )
    return Sql(text, [run_id])

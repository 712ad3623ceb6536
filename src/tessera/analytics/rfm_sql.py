"""The SQL of RFM: the one read of a run (its population's columns), and a run's scores as SQL expressions.

Everything reads ``members.MemberStats``, the running totals checkout keeps per member, never the sales. A run
reads five columns of its population once (``population_fetch``: on PostgreSQL packed into one bytea and parsed
straight into NumPy arrays) and computes the rest in ``rfm_arrays``; it writes no row per member. A member's
scores are a function of their statistics and the run's cuts and thresholds, so for many members they are SQL
expressions over the statistics (``member_columns``) and for one member a few lines of Python (``selectors``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from tessera.analytics.rfm_arrays import Ints, Population
from tessera.analytics.rules import Stage, Thresholds, group_sql, segment_sql
from tessera.kit.db import db_datetime, is_postgres, sql_rows
from tessera.members.models import Member, MemberStats

STATS = MemberStats._meta.db_table
MEMBERS = Member._meta.db_table


@dataclass(frozen=True)
class Sql:
    text: str
    params: list[Any]


# The scored population: the programme's members, other than closed ones, with at least one purchase. Members
# whose returns cancelled everything they bought stay in it (net spend 0 or less; docs/analytics.md says why).
# The programme is on the statistics (copied at enrolment), so only closed members are looked up, and
# the anti-join's inner side is just those (the partial index ``member_closed_idx``).
def population_where(alias: str = "s", *, any_closed: bool = True) -> str:
    where = f"{alias}.program_id = %s AND {alias}.purchase_count > 0 AND {alias}.last_purchase_at IS NOT NULL"
    if not any_closed:
        return where
    return (
        f"{where} AND NOT EXISTS (SELECT 1 FROM {MEMBERS} mm WHERE mm.id = {alias}.member_id AND mm.status = 'closed')"
    )


def _any_closed(program_id: int) -> bool:
    """Whether the programme has a closed member (one probe of ``member_closed_idx``): when none is, the run
    skips the anti-join, whose probe of every row cost a sixth of the read at a million members."""
    return bool(sql_rows(f"SELECT 1 FROM {MEMBERS} WHERE status = 'closed' AND program_id = %s LIMIT 1", [program_id]))


def population_fetch(*, program_id: int) -> Population:
    """The run's population: five columns of every scored member (``rfm_arrays.Population``), in no order."""
    if is_postgres():
        return _fetch_binary(program_id)
    epoch = "CAST(strftime('%%s', {}) AS INTEGER)"
    text = (
        f"SELECT s.purchase_count, s.spend_minor - s.refund_minor, {epoch.format('s.first_purchase_at')},"
        f" {epoch.format('s.last_purchase_at')},"
        f" {epoch.format('COALESCE(s.previous_purchase_at, s.last_purchase_at)')}"
        f" FROM {STATS} s WHERE {population_where()}"
    )
    rows = np.array(sql_rows(text, [program_id]), dtype=np.int64).reshape(-1, 5)
    rows[:, 2:] *= 1_000_000
    return Population(*(np.ascontiguousarray(rows[:, k]) for k in range(5)))


# On PostgreSQL the rows come packed into one bytea: per member the purchases (int4), net spend (int8) and the
# three timestamps (int8 microseconds since 2000-01-01 UTC), big-endian, 36 bytes, parsed as one NumPy structured
# array. A COPY or a plain SELECT sends one message per row, and reading a million of them in Python took three
# seconds (bench/segments.py); the packing costs the server about as much as COPY's own row output.
_ROW = np.dtype([("frequency", ">i4"), ("monetary", ">i8"), ("first", ">i8"), ("last", ">i8"), ("previous", ">i8")])
_PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in Unix microseconds


def _fetch_binary(program_id: int) -> Population:
    import psycopg
    from django.db import connection

    packed = (
        "SELECT string_agg(int4send(s.purchase_count) || int8send(s.spend_minor - s.refund_minor)"
        " || timestamptz_send(s.first_purchase_at) || timestamptz_send(s.last_purchase_at)"
        " || timestamptz_send(COALESCE(s.previous_purchase_at, s.last_purchase_at)), ''::bytea)"
        f" FROM {STATS} s WHERE {population_where(any_closed=_any_closed(program_id))}"
    )
    connection.ensure_connection()
    # A server-binding cursor on Django's own connection (the same transaction), asking for binary results so
    # the bytea arrives as bytes; Django's may bind on the client side, which cannot.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(packed, [program_id], binary=True)
        row = cursor.fetchone()
    rows = np.frombuffer(row[0] if row and row[0] else b"", dtype=_ROW)

    def micros(field: str) -> Ints:
        return rows[field].astype(np.int64) + _PG_EPOCH_US

    return Population(rows["frequency"].astype(np.int64), rows["monetary"].astype(np.int64), micros("first"),
                      micros("last"), micros("previous"))  # fmt: skip


# ---------------------------------------------------------------- a run's scores over the statistics


def _local_date(column: str, timezone: str) -> Sql:
    from django.db import connection

    text, params = connection.ops.datetime_cast_date_sql(column, (), timezone)
    return Sql(text, list(params))


def _days_between(later: Sql, earlier: Sql) -> Sql:
    """Whole days from the date ``earlier`` to the date ``later`` (both SQL dates)."""
    if is_postgres():
        return Sql(f"({later.text} - {earlier.text})", later.params + earlier.params)
    return Sql(f"CAST(julianday({later.text}) - julianday({earlier.text}) AS INTEGER)", later.params + earlier.params)


def _date_param(day: date) -> Sql:
    return Sql("CAST(%s AS date)" if is_postgres() else "%s", [day.isoformat()])


@dataclass(frozen=True)
class RunRules:
    """What a run decided for everyone: its reference date and zone, its cuts and its thresholds."""

    reference_date: date
    timezone: str
    cuts: dict[str, list[int]]
    thresholds: Thresholds

    def day_start(self, days_before: int) -> datetime:
        """The first instant of the local day ``days_before`` days before the reference date: a member's recency
        is more than ``days_before`` exactly when their last purchase was before it."""
        day = self.reference_date - timedelta(days=days_before)
        return datetime.combine(day, time(0), tzinfo=ZoneInfo(self.timezone))


def _count_sql(conditions: Iterable[Sql]) -> Sql:
    parts = list(conditions)
    text = " + ".join(f"CASE WHEN {c.text} THEN 1 ELSE 0 END" for c in parts) or "0"
    return Sql(f"({text})", [p for c in parts for p in c.params])


def _above(column: str, cuts: Sequence[int]) -> Sql:
    return _count_sql(Sql(f"{column} > %s", [cut]) for cut in cuts)


def member_columns(rules: RunRules, table: str) -> dict[str, Sql]:
    """The nine values of a member in a run, as SQL over the statistics row ``table``: recency, purchases and net
    spend, the three scores (``rules.score_of``), segment, working group and stage (``rules.stage_of``).

    Recency is compared as instants (the last purchase before a local midnight), so only the values themselves
    convert a timestamp to a local date. A member who bought after the reference date has recency 0."""
    last = f"{table}.last_purchase_at"
    days = _days_between(_date_param(rules.reference_date), _local_date(last, rules.timezone))
    recency = Sql(f"CASE WHEN {days.text} < 0 THEN 0 ELSE {days.text} END", days.params * 2)
    before = _count_sql(Sql(f"{last} < %s", [db_datetime(rules.day_start(c))]) for c in rules.cuts["recency_days"])
    r = Sql(f"(5 - {before.text})", before.params)
    f = _above(f"{table}.purchase_count", rules.cuts["frequency"])
    f = Sql(f"(1 + {f.text})", f.params)
    monetary = Sql(f"({table}.spend_minor - {table}.refund_minor)", [])
    m = _above(monetary.text, rules.cuts["monetary_minor"])
    m = Sql(f"(1 + {m.text})", m.params)
    segment = _substitute(segment_sql("{r}", "{f}"), r=r, f=f)
    group = _substitute(group_sql("{r}", "{f}", "{m}", "{monetary}"), r=r, f=f, m=m, monetary=monetary)
    return {"recency_days": recency, "frequency": Sql(f"{table}.purchase_count", []), "monetary_minor": monetary,
            "r_score": r, "f_score": f, "m_score": m, "segment": segment, "working_group": group,
            "stage": stage_sql(rules, table)}  # fmt: skip


def _substitute(template: str, **parts: Sql) -> Sql:
    """Fill the ``{name}`` placeholders of ``template`` with SQL, collecting the parameters in text order."""
    pieces = template.replace("{", "\0{").replace("}", "}\0").split("\0")
    text, params = [], []
    for piece in pieces:
        if piece.startswith("{") and piece.endswith("}") and piece[1:-1] in parts:
            part = parts[piece[1:-1]]
            text.append(part.text)
            params += part.params
        else:
            text.append(piece)
    return Sql("".join(text), params)


def stage_sql(rules: RunRules, table: str) -> Sql:
    """The CASE of ``rules.stage_of`` over the statistics row ``table``."""
    t, last = rules.thresholds, f"{table}.last_purchase_at"
    gap = _days_between(_local_date(last, rules.timezone),
                        _local_date(f"{table}.previous_purchase_at", rules.timezone))  # fmt: skip
    text = (
        f"CASE WHEN {last} < %s THEN {Stage.LAPSED.value} WHEN {last} < %s THEN {Stage.AT_RISK.value}"
        f" WHEN {gap.text} > %s THEN {Stage.REACTIVATED.value}"
        f" WHEN {table}.purchase_count = 1 AND {last} >= %s THEN {Stage.NEW.value} ELSE {Stage.ACTIVE.value} END"
    )
    params = [db_datetime(rules.day_start(t.lapsed_days)), db_datetime(rules.day_start(t.at_risk_days)),
              *gap.params, t.at_risk_days, db_datetime(rules.day_start(t.typical_days))]  # fmt: skip
    return Sql(text, params)

"""The evaluation job's statements, built once per run from the ladder, for SQLite and PostgreSQL alike.

The tier decision is the same as ``rules.state`` makes for one member, written as CASE expressions over each
row's counters: the ladder's thresholds, ranks and tier ids are few, trusted integers, so they are written into
the SQL and every row is decided in one pass without joins. Dates that need the calendar (the next window of
each anchor, the instant a local day begins) are computed in Python once per distinct date in the batch, with
the same functions as everywhere else, and joined in as a small VALUES table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection

from tessera.kit.db import db_datetime, for_update
from tessera.tiers.models import MemberTier, TierEvent
from tessera.tiers.rules import COUNTER_OF, Combine, Downgrade, Reason
from tessera.tiers.rules.state import window_end_reason
from tessera.tiers.rules.windows import is_anchored, local_midnight, window_containing
from tessera.tiers.selectors import LadderView

MT, EVENT = MemberTier._meta.db_table, TierEvent._meta.db_table
_EVENT_INTO = (f"INSERT INTO {EVENT} (member_id, ladder_id, from_tier_id, to_tier_id, reason, value, second_value,"
               " window_start, window_end, event_at, created_at)")  # fmt: skip
_RESET = "points = 0, spend_minor = 0, stored_value_minor = 0, purchase_count = 0"
Statement = tuple[str, list[Any]]


def values_table(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]]) -> Statement:
    """A derived table of literal rows; PostgreSQL is told each column's type, SQLite compares ISO text.

    Both name a VALUES list's columns column1, column2, ...; a derived table rather than a WITH clause keeps
    every statement starting with INSERT or UPDATE, which is how Python's sqlite3 knows to report row counts.
    """
    postgres = connection.vendor == "postgresql"
    mark = ", ".join(f"CAST(%s AS {kind})" if postgres else "%s" for _c, kind in columns)
    rows = list(rows)
    names = ", ".join(f"column{i} AS {c}" for i, (c, _k) in enumerate(columns, 1))
    body = ", ".join(f"({mark})" for _row in rows)
    return f"(SELECT {names} FROM (VALUES {body}) AS v)", [value for row in rows for value in row]  # noqa: S608


_W_COLUMNS = [("anchor_on", "date"), ("end_on", "date"), ("new_start", "date"), ("new_end", "date"),
              ("new_pending_on", "date")]  # fmt: skip
_M_COLUMNS = [("on_date", "date"), ("at", "timestamptz")]


class WindowNext(NamedTuple):
    anchor_on: date | None
    end_on: date
    new_start: date
    new_end: date | None
    new_pending_on: date


@dataclass(frozen=True)
class EvaluationSql:
    view: LadderView

    # ------------------------------------------------------------ shared pieces
    def _rank_of(self, column: str) -> str:
        whens = " ".join(f"WHEN {int(tier)} THEN {rank}" for rank, tier in enumerate(self.view.tier_ids))
        return f"(CASE {column} {whens} END)"

    def _tier_of(self, rank_sql: str) -> str:
        whens = " ".join(f"WHEN {rank} THEN {int(tier)}" for rank, tier in enumerate(self.view.tier_ids))
        return f"(CASE {rank_sql} {whens} END)"

    def _meets(self, rank: int, alias: str) -> str:
        rule, need = self.view.rule, self.view.rule.thresholds[rank]
        first = f"{alias}.{COUNTER_OF[rule.measure]} >= {int(need.value)}"
        if rule.second_measure is None:
            return first
        operator = "AND" if rule.combine == Combine.AND else "OR"
        return f"({first} {operator} {alias}.{COUNTER_OF[rule.second_measure]} >= {int(need.second or 0)})"

    def _qualifying(self, alias: str) -> str:
        whens = " ".join(f"WHEN {self._meets(r, alias)} THEN {r}" for r in range(self.view.rule.top_rank, 0, -1))
        return f"(CASE {whens} ELSE 0 END)" if whens else "0"

    def _values(self, alias: str) -> str:
        rule = self.view.rule
        second = f"{alias}.{COUNTER_OF[rule.second_measure]}" if rule.second_measure else "CAST(NULL AS BIGINT)"
        return f"{alias}.{COUNTER_OF[rule.measure]} AS v1, {second} AS v2"

    def midnights(self, days: Iterable[date | None]) -> Statement:
        distinct = sorted({d for d in days if d is not None})
        rows = [(d, db_datetime(local_midnight(d, self.view.timezone))) for d in distinct]
        return values_table(_M_COLUMNS, rows)

    # ------------------------------------------------------------ windows that ended
    def due_windows(self, alias: str = "mt") -> str:
        """Rows whose window ended by the day, after the cursor and up to the batch's last row (6 parameters)."""
        a = alias
        return (f"{a}.ladder_id = %s AND {a}.window_end <= %s AND ({a}.window_end, {a}.id) > (%s, %s)"
                f" AND ({a}.window_end, {a}.id) <= (%s, %s)")  # fmt: skip

    def windows_next(self, keys: Iterable[tuple[date | None, date]]) -> list[WindowNext]:
        """The next window for each distinct (anchor, ended window end) in the batch, and its grace end."""
        rule = self.view.rule
        rows = []
        for anchor, end in sorted(set(keys), key=lambda k: (k[1], k[0] or date.min)):
            start, next_end = window_containing(rule.window, rule.window_months, anchor, end)
            rows.append(WindowNext(anchor, end, start, next_end, end + timedelta(days=rule.grace_days)))
        return rows

    @staticmethod
    def windows_table(rows: list[WindowNext]) -> Statement:
        return values_table(_W_COLUMNS, rows)

    def batch_keys(self, due: str, keys: str, *, lock: bool = True) -> str:
        """The next batch of due rows after the cursor, grouped by ``keys``: (keys..., count, max id).

        ``due`` is the date column the walk follows (window_end or pending_on). Locking (where the backend locks
        rows) and reading the dates the batch needs is one pass over its rows; 5 parameters.
        """
        locking = for_update() if lock else ""
        return (f"WITH b AS (SELECT {keys}, id FROM {MT} WHERE ladder_id = %s AND {due} <= %s"  # noqa: S608
                f" AND ({due}, id) > (%s, %s) ORDER BY {due}, id LIMIT %s{locking})"
                f" SELECT {keys}, COUNT(*), MAX(id) FROM b GROUP BY {keys}")  # fmt: skip

    def _current(self, a: str) -> str:
        """The rank a row holds when its window ends: a downgrade waiting out its grace period applies first."""
        return (f"(CASE WHEN {a}.pending_tier_id IS NULL THEN {self._rank_of(f'{a}.tier_id')}"
                f" ELSE {self._rank_of(f'{a}.pending_tier_id')} END)")  # fmt: skip

    def _decision(self, a: str) -> tuple[str, str, str | None]:
        """(current, applied, decided-if-it-waits-for-grace) rank expressions, as ``LadderRule`` and ``state`` do."""
        current, reached = self._current(a), self._qualifying(a)
        decided = reached
        if self.view.rule.downgrade == Downgrade.ONE_DOWN:
            decided = f"(CASE WHEN {reached} < {current} THEN {current} - 1 ELSE {reached} END)"
        if not self.view.rule.grace_days:
            return current, decided, None
        return current, f"(CASE WHEN {decided} < {current} THEN {current} ELSE {decided} END)", decided

    def grace_events_at_window_end(self, m: Statement, bounds: list[Any], now: datetime) -> Statement:
        # A downgrade still in its grace period falls due before the window ends: record it first.
        sql = (f"{_EVENT_INTO} SELECT mt.member_id, mt.ladder_id, mt.tier_id, mt.pending_tier_id, %s,"  # noqa: S608
               f" {self._values('mt')}, mt.window_start, mt.window_end, m.at, %s FROM {MT} mt JOIN {m[0]} m"
               f" ON m.on_date = mt.pending_on WHERE {self.due_windows()}"
               " AND mt.pending_tier_id IS NOT NULL")  # fmt: skip
        return sql, [Reason.GRACE_ENDED.value, db_datetime(now), *m[1], *bounds]

    def window_events(self, m: Statement, bounds: list[Any], now: datetime) -> Statement:
        current, applied, _waits = self._decision("mt")
        sql = (f"{_EVENT_INTO} SELECT mt.member_id, mt.ladder_id, {self._tier_of(current)},"  # noqa: S608
               f" {self._tier_of(applied)}, %s, {self._values('mt')}, mt.window_start, mt.window_end, m.at, %s"
               f" FROM {MT} mt JOIN {m[0]} m ON m.on_date = mt.window_end WHERE {self.due_windows()}"
               f" AND {applied} <> {current}")  # fmt: skip
        return sql, [window_end_reason(self.view.rule), db_datetime(now), *m[1], *bounds]

    def windows_roll(self, w: Statement, m: Statement, bounds: list[Any], now: datetime) -> Statement:
        # One pass over the batch's rows, joined only to the two small tables of dates; every decision is an
        # expression over the row's own columns, so no row is looked up twice.
        current, applied, waits = self._decision("mt")
        pending_tier, pending_on = "NULL", "NULL"
        if waits is not None:
            pending_tier = f"CASE WHEN {waits} < {current} THEN {self._tier_of(waits)} END"
            pending_on = f"CASE WHEN {waits} < {current} THEN w.new_pending_on END"
        anchor = " AND w.anchor_on = mt.anchor_on" if is_anchored(self.view.rule.window) else ""
        sql = (f"UPDATE {MT} AS mt SET tier_id = {self._tier_of(applied)}, since = CASE WHEN {applied} <> {current}"  # noqa: S608
               f" THEN me.at WHEN mt.pending_tier_id IS NOT NULL THEN (SELECT p.at FROM {m[0]} p"
               f" WHERE p.on_date = mt.pending_on) ELSE mt.since END, window_start = w.new_start,"
               f" window_end = w.new_end, {_RESET}, pending_tier_id = {pending_tier}, pending_on = {pending_on},"
               f" updated_at = %s FROM {w[0]} w, {m[0]} me WHERE {self.due_windows()}"
               f" AND w.end_on = mt.window_end{anchor} AND me.on_date = mt.window_end")  # fmt: skip
        return sql, [*m[1], db_datetime(now), *w[1], *m[1], *bounds]

    def windows_close(self, w: Statement, m: Statement, bounds: list[Any], now: datetime) -> Statement:
        """PostgreSQL: close the batch's windows in one statement that also records their events.

        Answers (windows closed, tier changes, grace periods ended). Nothing is locked beforehand: the UPDATE
        finds each row by the ``ctid`` it had when read, and a row that checkout changed meanwhile has a new
        ``ctid``, so the UPDATE leaves it (and writes no event for it) rather than close its window twice. A
        row left that way is found again by the next walk if it is still due. The events come from the rows as
        read, which are the rows updated, so each row is read once and written once. The read is MATERIALIZED:
        inlined, PostgreSQL probed the index once per (anchor, window end) pair and read each row five times.
        """
        _current, _applied, waits = self._decision("o")
        pending_tier, pending_on = "NULL", "NULL"
        if waits is not None:
            pending_tier = f"CASE WHEN d.waits < d.cur THEN {self._tier_of('d.waits')} END"
            pending_on = "CASE WHEN d.waits < d.cur THEN w.new_pending_on END"
        anchor = " AND w.anchor_on = d.anchor_on" if is_anchored(self.view.rule.window) else ""
        event = "member_id, ladder_id, {}, {}, %s, v1, v2, window_start, window_end, {}, %s FROM up"
        sql = (f"WITH d AS MATERIALIZED ({self._closing_rows()}),"  # noqa: S608
               f" up AS (UPDATE {MT} AS mt SET tier_id = {self._tier_of('d.app')}, since = CASE WHEN d.app <> d.cur"
               " THEN me.at WHEN d.pending_tier_id IS NOT NULL THEN mp.at ELSE mt.since END,"
               f" window_start = w.new_start, window_end = w.new_end, {_RESET}, pending_tier_id = {pending_tier},"
               f" pending_on = {pending_on}, updated_at = %s FROM d JOIN {w[0]} w ON w.end_on = d.window_end{anchor}"
               f" JOIN {m[0]} me ON me.on_date = d.window_end LEFT JOIN {m[0]} mp ON mp.on_date = d.pending_on"
               " WHERE mt.ctid = d.tid RETURNING d.*, me.at AS ended_at, mp.at AS grace_at),"
               f" ev AS ({_EVENT_INTO} SELECT {event.format('tier_id', 'pending_tier_id', 'grace_at')}"
               f" WHERE pending_tier_id IS NOT NULL UNION ALL SELECT"
               f" {event.format(self._tier_of('cur'), self._tier_of('app'), 'ended_at')} WHERE app <> cur)"
               " SELECT COUNT(*), COUNT(*) FILTER (WHERE app <> cur), COUNT(*) FILTER (WHERE pending_tier_id IS NOT"
               " NULL) FROM up")  # fmt: skip
        params = [*bounds, db_datetime(now), *w[1], *m[1], *m[1]]
        return sql, [*params, Reason.GRACE_ENDED.value, db_datetime(now), window_end_reason(self.view.rule),
                     db_datetime(now)]  # fmt: skip

    def _closing_rows(self) -> str:
        """The batch's due rows as read, with their ``ctid`` and decisions (6 parameters: the bounds)."""
        current, applied, waits = self._decision("o")
        waits_column = f", {waits} AS waits" if waits is not None else ""
        return ("SELECT o.ctid AS tid, o.member_id, o.ladder_id, o.tier_id, o.pending_tier_id, o.pending_on,"  # noqa: S608
                f" o.window_start, o.window_end, o.anchor_on, {self._values('o')}, {current} AS cur,"
                f" {applied} AS app{waits_column} FROM {MT} o WHERE {self.due_windows('o')}")  # fmt: skip

    # ------------------------------------------------------------ grace periods that ended
    def due_grace(self, alias: str = "mt") -> str:
        a = alias
        return (f"{a}.ladder_id = %s AND {a}.pending_on <= %s AND ({a}.pending_on, {a}.id) > (%s, %s)"
                f" AND ({a}.pending_on, {a}.id) <= (%s, %s)")  # fmt: skip

    def grace_events(self, m: Statement, bounds: list[Any], now: datetime) -> Statement:
        sql = (f"{_EVENT_INTO} SELECT mt.member_id, mt.ladder_id, mt.tier_id, mt.pending_tier_id, %s,"  # noqa: S608
               f" {self._values('mt')}, mt.window_start, mt.window_end, m.at, %s FROM {MT} mt"
               f" JOIN {m[0]} m ON m.on_date = mt.pending_on WHERE {self.due_grace()}")  # fmt: skip
        return sql, [Reason.GRACE_ENDED.value, db_datetime(now), *m[1], *bounds]

    def grace_apply(self, m: Statement, bounds: list[Any], now: datetime) -> Statement:
        sql = (f"UPDATE {MT} AS target SET tier_id = target.pending_tier_id, since = m.at,"  # noqa: S608
               f" pending_tier_id = NULL, pending_on = NULL, updated_at = %s FROM {m[0]} m"
               f" WHERE m.on_date = target.pending_on AND {self.due_grace('target')}")  # fmt: skip
        return sql, [db_datetime(now), *m[1], *bounds]

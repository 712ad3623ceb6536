"""The tier evaluation job: close every window that has ended, in set-based SQL, one committed batch at a time.

Run per programme at local midnight with the new local day. A window ending on ``local_date`` (its end is
exclusive) is closed that night. Members are taken in (window end, id) order in batches; each batch is one
transaction that locks its rows, records the tier changes, resets the counters and opens the next window. A
closed row leaves the set of due rows, which is what makes the job idempotent (a second run finds nothing to
do) and resumable (after a crash only the batch in flight was lost, and the next run starts where it stopped).
A member several windows behind is found again, further along the same walk, until the window is current.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import connection

from tessera.kit.clock import now as clock_now
from tessera.kit.db import sql_rows, sql_run, use_case
from tessera.tiers.selectors import ladder_view_get
from tessera.tiers.services.evaluation_sql import EvaluationSql

Cursor = tuple[date, int]
BatchDone = tuple[Cursor, dict[str, int], bool]  # cursor after the batch, its counts, whether rows may still be due
Batch = Callable[..., BatchDone | None]
_START: Cursor = (date(1, 1, 1), 0)


def tier_evaluation_run(*, program_id: int, local_date: date, batch_size: int = 10_000) -> dict[str, Any]:
    """Close the windows and grace periods of the programme's active ladder that ended by ``local_date``.

    For each member whose window ended on or before ``local_date``: a downgrade waiting out its grace period
    takes effect, the window's counters decide the tier by the ladder's policy (re-evaluate, or one tier down),
    a downgrade starts its grace period if the ladder has one, the counters reset (lifetime spend stays) and the
    next window opens. Then downgrades whose grace period ended take effect. Every change is a TierEvent.

    Opens one transaction per batch of ``batch_size`` members; call it outside any transaction. Idempotent and
    resumable. Returns a summary: windows closed, tier changes, grace periods ended, batches committed.
    """
    view = ladder_view_get(program_id=program_id)
    summary: dict[str, Any] = {"ladder_id": view.ladder_id if view else None, "local_date": local_date.isoformat(),
                               "windows_closed": 0, "tier_changes": 0, "grace_ended": 0, "batches": 0}  # fmt: skip
    if view is None:
        return summary
    plan = EvaluationSql(view)
    for batch in (_windows_batch, _grace_batch):
        # One walk takes every due row once. A row can still be due after it (a member several windows behind,
        # whose next window has ended too, or a row checkout changed while the walk ran) and lie behind the
        # cursor, so a walk that says so is followed by another, until none is left.
        while _walk(batch, plan, day=local_date, size=batch_size, summary=summary):
            pass
    return summary


def _walk(batch: Batch, plan: EvaluationSql, *, day: date, size: int, summary: dict[str, Any]) -> bool:
    """Take every due row after the cursor, one committed batch at a time; True if rows may still be due."""
    cursor, again = _START, False
    while (done := _committed(batch, plan, day=day, cursor=cursor, size=size)) is not None:
        cursor, counts, still_due = done
        for key, count in counts.items():
            summary[key] += count
        summary["batches"] += 1
        again = again or still_due
    return again


def _committed(batch: Batch, plan: EvaluationSql, **kwargs: Any) -> BatchDone | None:
    with use_case():
        return batch(plan, now=clock_now(), **kwargs)


def _windows_batch(plan: EvaluationSql, *, day: date, cursor: Cursor, size: int, now: datetime) -> BatchDone | None:
    ladder, one_statement = plan.view.ladder_id, connection.vendor == "postgresql"
    keys = "anchor_on, window_end, pending_on"
    groups = sql_rows(plan.batch_keys("window_end", keys, lock=not one_statement), [ladder, day, *cursor, size])
    if not groups:
        return None
    last, found = _last(groups, date_at=1)
    bounds = [ladder, day, *cursor, *last]
    nexts = plan.windows_next((anchor, end) for anchor, end, *_rest in groups)
    w, behind = plan.windows_table(nexts), any(n.new_end is not None and n.new_end <= day for n in nexts)
    m = plan.midnights([d for _anchor, end, pending, *_rest in groups for d in (end, pending)])
    if one_statement:
        closed, changes, grace = sql_rows(*plan.windows_close(w, m, bounds, now))[0]
    else:
        # Locking the batch first keeps checkout, which closes a member's window itself when a sale finds it
        # ended, from closing the same window between the statements below: one of the two waits for the other.
        grace = sql_run(*plan.grace_events_at_window_end(m, bounds, now))
        changes = sql_run(*plan.window_events(m, bounds, now))
        closed = sql_run(*plan.windows_roll(w, m, bounds, now))
        assert closed == found, "every locked row of the batch must be closed"
    counts = {"windows_closed": closed, "tier_changes": changes, "grace_ended": grace}
    return last, counts, behind or closed < found


def _grace_batch(plan: EvaluationSql, *, day: date, cursor: Cursor, size: int, now: datetime) -> BatchDone | None:
    ladder = plan.view.ladder_id
    groups = sql_rows(plan.batch_keys("pending_on", "pending_on"), [ladder, day, *cursor, size])
    if not groups:
        return None
    last, found = _last(groups, date_at=0)
    bounds = [ladder, day, *cursor, *last]
    m = plan.midnights(group[0] for group in groups)
    ended = sql_run(*plan.grace_events(m, bounds, now))
    applied = sql_run(*plan.grace_apply(m, bounds, now))
    assert applied == ended == found, "every locked row of the batch must move down"
    return last, {"grace_ended": ended}, False


def _last(groups: list[tuple[Any, ...]], *, date_at: int) -> tuple[Cursor, int]:
    """The batch's last (date, id) and its size, from its rows grouped by date (and more): (..., count, max id)."""
    last = max((group[date_at], group[-1]) for group in groups)
    return last, sum(group[-2] for group in groups)

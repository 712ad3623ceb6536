"""Counting a member's qualifying facts inside the checkout transaction, and upgrading them the moment they qualify."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tessera.kit.db import (
    assert_in_transaction,
    columns_of,
    db_datetime,
    for_update,
    model_from_row,
    sql_insert,
    sql_rows,
    sql_run,
)
from tessera.programs.models import Program
from tessera.tiers.models import MemberTier, TierEvent
from tessera.tiers.rules import Counters, facts
from tessera.tiers.rules.state import Change, TierState, state_catch_up, state_open, state_settle
from tessera.tiers.rules.windows import local_date, member_anchor
from tessera.tiers.selectors import LadderView, card_date_get, ladder_view_for, member_tier_get, state_of

_MT = MemberTier._meta.db_table
EVENT_COLUMNS = ["member_id", "ladder_id", "from_tier_id", "to_tier_id", "reason", "value", "second_value",
                 "window_start", "window_end", "event_at", "created_at"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class TierChange:
    """How one call moved the member: from the tier held before it (the base tier if new) to the one held after."""

    from_code: str
    to_code: str
    from_rank: int
    to_rank: int
    reason: str
    at: datetime


def tier_facts_record(
    *,
    member_id: int,
    program: Program,
    points: int = 0,
    spend_minor: int = 0,
    stored_value_minor: int = 0,
    purchases: int = 0,
    event_at: datetime,
    now: datetime,
) -> TierChange | None:
    """Count one sale, return or top-up toward the member's tier; upgrade at once when a threshold is crossed.

    Called by checkout inside its transaction, under the member's account locks. Figures are signed: a return
    passes negative points, spend and purchases, a top-up's principal goes in ``stored_value_minor``. Spend also
    counts toward lifetime spend. The fact counts in the window that contains ``event_at`` (programme time) if
    that window is still open; a window that has ended is first closed here exactly as the evaluation job would
    close it, and a late fact dated before the open window counts in the open window.

    Returns never downgrade. They take their value back from the open window's counters (which may go below
    zero, so a sale returned after its window closed must be earned again), and the tier is decided again only
    at the window's end: a return that takes a member below their tier's threshold can cost the tier at the next
    evaluation, not before.

    Returns the change this call made (an upgrade, or a window closed here), or None.
    """
    assert_in_transaction()
    view = ladder_view_for(program)
    if view is None:
        return None
    delta = facts(points=points, spend_minor=spend_minor, stored_value_minor=stored_value_minor, purchases=purchases)
    day = local_date(event_at, view.timezone)
    before: int | None = None
    changes: list[Change] = []
    row = _counters_add(view, member_id=member_id, delta=delta, day=day, now=now)
    if row is None:
        # The slow path: no place on the ladder yet, or a window or grace period that ended before ``day``.
        before, changes = _bring_up_to_date(view, member_id=member_id, day=day, event_at=event_at, now=now)
        row = _counters_add(view, member_id=member_id, delta=delta, day=day, now=now)
        assert row is not None, "the member's window must be open on the fact's day once brought up to date"
    state = state_of(row, view)
    if before is None:
        before = state.rank
    settled, change = state_settle(view.rule, state, at=event_at)
    if settled != state:
        _state_write(view, row_id=row.id, state=settled, now=now)
    changes += [change] if change else []
    _events_write(view, member_id=member_id, changes=changes, now=now)
    return _net_change(view, before, settled.rank, changes)


def _counters_add(view: LadderView, *, member_id: int, delta: Counters, day: date, now: datetime) -> MemberTier | None:
    # The common case in one statement: the window and any grace period are still open on the fact's day.
    rows = sql_rows(
        f"UPDATE {_MT} SET points = points + %s, spend_minor = spend_minor + %s,"  # noqa: S608
        " stored_value_minor = stored_value_minor + %s, purchase_count = purchase_count + %s,"
        " lifetime_spend_minor = lifetime_spend_minor + %s, updated_at = %s"
        " WHERE member_id = %s AND ladder_id = %s AND (window_end IS NULL OR window_end > %s)"
        f" AND (pending_on IS NULL OR pending_on > %s) RETURNING {columns_of(MemberTier, _MT)}",
        [delta.points, delta.spend_minor, delta.stored_value_minor, delta.purchase_count,
         delta.lifetime_spend_minor, db_datetime(now), member_id, view.ladder_id, day, day],
    )  # fmt: skip
    return model_from_row(rows[0], MemberTier) if rows else None


def _bring_up_to_date(
    view: LadderView, *, member_id: int, day: date, event_at: datetime, now: datetime
) -> tuple[int, list[Change]]:
    """Open the member's place on the ladder, or close what ended before ``day``; returns the rank before."""
    row = member_tier_get(member_id=member_id, ladder_id=view.ladder_id, lock=for_update())
    if row is None:
        rule = view.rule
        anchor = member_anchor(rule.window, card_date_get(member_id=member_id, timezone=view.timezone))
        # The first window contains today at least, so a new row is never already due for the evaluation job.
        state, joined = state_open(rule, anchor=anchor, day=max(day, local_date(now, view.timezone)), at=event_at)
        _state_insert(view, member_id=member_id, anchor=anchor, state=state, now=now)
        return 0, [joined]
    state, changes = state_catch_up(view.rule, state_of(row, view), anchor=row.anchor_on, through=day,
                                    timezone=view.timezone)  # fmt: skip
    _state_write(view, row_id=row.id, state=state, now=now)
    before = view.rank_of(row.tier_id)
    assert before is not None
    return before, changes


def _state_insert(view: LadderView, *, member_id: int, anchor: date | None, state: TierState, now: datetime) -> None:
    c = state.counters
    sql_insert(
        _MT,
        ["member_id", "ladder_id", "tier_id", "since", "anchor_on", "window_start", "window_end", "points",
         "spend_minor", "stored_value_minor", "purchase_count", "lifetime_spend_minor", "pending_tier_id",
         "pending_on", "created_at", "updated_at"],
        [[member_id, view.ladder_id, view.tier_of(state.rank), db_datetime(state.since), anchor, state.window_start,
          state.window_end, c.points, c.spend_minor, c.stored_value_minor, c.purchase_count,
          c.lifetime_spend_minor, view.tier_of(state.pending_rank), state.pending_on, db_datetime(now),
          db_datetime(now)]],
    )  # fmt: skip


def _state_write(view: LadderView, *, row_id: int, state: TierState, now: datetime) -> None:
    c = state.counters
    sql_run(
        f"UPDATE {_MT} SET tier_id = %s, since = %s, window_start = %s, window_end = %s, points = %s,"  # noqa: S608
        " spend_minor = %s, stored_value_minor = %s, purchase_count = %s, lifetime_spend_minor = %s,"
        " pending_tier_id = %s, pending_on = %s, updated_at = %s WHERE id = %s",
        [view.tier_of(state.rank), db_datetime(state.since), state.window_start, state.window_end, c.points,
         c.spend_minor, c.stored_value_minor, c.purchase_count, c.lifetime_spend_minor,
         view.tier_of(state.pending_rank), state.pending_on, db_datetime(now), row_id],
    )  # fmt: skip


def _events_write(view: LadderView, *, member_id: int, changes: Sequence[Change], now: datetime) -> None:
    rows = [
        [member_id, view.ladder_id, view.tier_of(c.from_rank), view.tier_of(c.to_rank), c.reason, c.value,
         c.second_value, c.window_start, c.window_end, db_datetime(c.at), db_datetime(now)]
        for c in changes
    ]  # fmt: skip
    sql_insert(TierEvent._meta.db_table, EVENT_COLUMNS, rows)


def _net_change(view: LadderView, before: int, after: int, changes: Sequence[Change]) -> TierChange | None:
    if after == before or not changes:
        return None
    last = changes[-1]
    return TierChange(view.codes[before], view.codes[after], before, after, last.reason, last.at)

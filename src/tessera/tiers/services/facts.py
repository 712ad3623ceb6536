"""Counting a member's qualifying facts inside the checkout transaction, and upgrading them the moment they qualify."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tessera.kit.db import assert_in_transaction, db_datetime, sql_insert, sql_reads, sql_run
from tessera.programs.models import Program
from tessera.tiers.models import MemberTier, TierEvent
from tessera.tiers.rules import facts
from tessera.tiers.rules.state import Change, TierState, state_add, state_catch_up, state_open
from tessera.tiers.rules.windows import local_date, member_anchor
from tessera.tiers.selectors import (
    LadderView,
    TierPlace,
    card_date_get,
    ladder_view_for,
    state_of,
    tier_place_read,
)

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
    place: TierPlace | None = None,
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

    ``place`` is the member's row as checkout read it with the account lock (``tier_place_read``); without it
    the row is read and locked here. Either way the decision is made from that locked row and written back in
    statements whose answers nobody waits for, so a ``place`` serves one call only: a second call with it would
    write over the first.

    Returns the change this call made (an upgrade, or a window closed here), or None.
    """
    assert_in_transaction()
    view = ladder_view_for(program)
    if view is None:
        return None
    if place is None or place.ladder_id != view.ladder_id:
        place = sql_reads([tier_place_read(member_id=member_id, program=program)])[0]
        assert place is not None
    delta = facts(points=points, spend_minor=spend_minor, stored_value_minor=stored_value_minor, purchases=purchases)
    day = local_date(event_at, view.timezone)
    anchor = _anchor(view, member_id, place.enrolled_at) if place.row is None else place.row.anchor_on
    before, state, changes = _state_on(view, place.row, anchor=anchor, day=day, event_at=event_at, now=now)
    settled, change = state_add(view.rule, state, delta, at=event_at)
    changes += [change] if change else []
    if place.row is None:
        _state_insert(view, member_id=member_id, anchor=anchor, state=settled, now=now)
    else:
        _state_write(view, row_id=place.row.id, state=settled, now=now)
    _events_write(view, member_id=member_id, changes=changes, now=now)
    return _net_change(view, before, settled.rank, changes)


def _state_on(
    view: LadderView, row: MemberTier | None, *, anchor: date | None, day: date, event_at: datetime, now: datetime
) -> tuple[int, TierState, list[Change]]:
    """The rank before, and the state whose window counts a fact of ``day``, with the changes that took it there.

    The common case changes nothing: the window and any grace period are still open on ``day``. Otherwise the
    member joins the ladder at its base tier, or what ended before ``day`` is closed first.
    """
    if row is None:
        # The first window contains today at least, so a new row is never already due for the evaluation job.
        state, joined = state_open(view.rule, anchor=anchor, day=max(day, local_date(now, view.timezone)), at=event_at)
        return 0, state, [joined]
    state = state_of(row, view)
    if _open_on(state, day):
        return state.rank, state, []
    caught_up, changes = state_catch_up(view.rule, state, anchor=anchor, through=day, timezone=view.timezone)
    assert _open_on(caught_up, day), "the member's window must be open on the fact's day once brought up to date"
    return state.rank, caught_up, changes


def _open_on(state: TierState, day: date) -> bool:
    return (state.window_end is None or state.window_end > day) and (state.pending_on is None or state.pending_on > day)


def _anchor(view: LadderView, member_id: int, enrolled_at: datetime | None) -> date | None:
    if enrolled_at is None:
        card_date = card_date_get(member_id=member_id, timezone=view.timezone)
    else:
        card_date = local_date(enrolled_at, view.timezone)
    return member_anchor(view.rule.window, card_date)


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

"""One member's place on a ladder, and how facts and the calendar move it.

The evaluation job does the same in set-based SQL (``services/evaluation_sql.py``); a test replays both on the
same members and compares. The order of steps is fixed: when a window ends, a downgrade still waiting out its
grace period takes effect first (it always falls due before the next window ends, because grace is shorter than
any window), then the window is evaluated and the next one opens.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from tessera.tiers.rules import Counters, Downgrade, LadderRule, Reason
from tessera.tiers.rules.windows import local_midnight, window_containing


@dataclass(frozen=True, slots=True)
class TierState:
    rank: int
    since: datetime
    window_start: date
    window_end: date | None
    counters: Counters
    pending_rank: int | None = None
    pending_on: date | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A tier change as recorded on a TierEvent; ``from_rank`` is None when the member joins the ladder."""

    from_rank: int | None
    to_rank: int
    reason: str
    value: int
    second_value: int | None
    window_start: date
    window_end: date | None
    at: datetime


def state_open(rule: LadderRule, *, anchor: date | None, day: date, at: datetime) -> tuple[TierState, Change]:
    """A member's first place on the ladder: the base tier, in the window that contains ``day``."""
    start, end = window_containing(rule.window, rule.window_months, anchor, day)
    state = TierState(rank=0, since=at, window_start=start, window_end=end, counters=Counters())
    return state, Change(None, 0, Reason.JOINED, 0, _second(rule, 0), start, end, at)


def state_add(rule: LadderRule, state: TierState, delta: Counters, *, at: datetime) -> tuple[TierState, Change | None]:
    """Add one fact's counters, then settle (see ``state_settle``)."""
    return state_settle(rule, replace(state, counters=state.counters.plus(delta)), at=at)


def state_settle(rule: LadderRule, state: TierState, *, at: datetime) -> tuple[TierState, Change | None]:
    """Upgrade at once when the counters meet a higher threshold; never downgrade here.

    Reaching the current tier's threshold again during a grace period cancels the pending downgrade.
    """
    reached = rule.qualifying_rank(state.counters)
    if reached > state.rank:
        value, second = rule.values(state.counters)
        change = Change(state.rank, reached, Reason.UPGRADE, value, second, state.window_start, state.window_end, at)
        return replace(state, rank=reached, since=at, pending_rank=None, pending_on=None), change
    if state.pending_rank is not None and reached >= state.rank:
        return replace(state, pending_rank=None, pending_on=None), None
    return state, None


def state_catch_up(
    rule: LadderRule, state: TierState, *, anchor: date | None, through: date, timezone: str
) -> tuple[TierState, list[Change]]:
    """Apply every window end and grace end that falls on or before ``through``, oldest first."""
    changes: list[Change] = []
    while True:
        if state.window_end is not None and state.window_end <= through:
            if state.pending_rank is not None:
                state = _grace_end(rule, state, timezone, changes)
            state = _window_close(rule, state, anchor, timezone, changes)
        elif state.pending_on is not None and state.pending_on <= through:
            state = _grace_end(rule, state, timezone, changes)
        else:
            return state, changes


def _grace_end(rule: LadderRule, state: TierState, timezone: str, changes: list[Change]) -> TierState:
    assert state.pending_rank is not None
    assert state.pending_on is not None
    at = local_midnight(state.pending_on, timezone)
    value, second = rule.values(state.counters)
    changes.append(Change(state.rank, state.pending_rank, Reason.GRACE_ENDED, value, second, state.window_start,
                          state.window_end, at))  # fmt: skip
    return replace(state, rank=state.pending_rank, since=at, pending_rank=None, pending_on=None)


def _window_close(
    rule: LadderRule, state: TierState, anchor: date | None, timezone: str, changes: list[Change]
) -> TierState:
    end = state.window_end
    assert end is not None
    at = local_midnight(end, timezone)
    decided = rule.evaluated_rank(state.rank, state.counters)
    applied, pending = decided, None
    if rule.grace_days and decided < state.rank:
        applied, pending = state.rank, decided  # the member keeps the tier for the grace period
    if applied != state.rank:
        value, second = rule.values(state.counters)
        changes.append(Change(state.rank, applied, window_end_reason(rule), value, second, state.window_start, end,
                              at))  # fmt: skip
    start, next_end = window_containing(rule.window, rule.window_months, anchor, end)
    return TierState(
        rank=applied,
        since=at if applied != state.rank else state.since,
        window_start=start,
        window_end=next_end,
        counters=state.counters.reset(),
        pending_rank=pending,
        pending_on=end + timedelta(days=rule.grace_days) if pending is not None else None,
    )


def window_end_reason(rule: LadderRule) -> str:
    return Reason.ONE_DOWN if rule.downgrade == Downgrade.ONE_DOWN else Reason.REEVALUATED


def _second(rule: LadderRule, value: int) -> int | None:
    return value if rule.second_measure else None

"""Purchase cycles from purchase days: the pure maths (docs/analytics.md, "Purchase cycles").

Nothing here reads the database. A member's purchases of a category are reduced to distinct *local* days (in the
store's time zone: a purchase at 23:30 and one at 00:30 are two days, two at 10:00 and 16:00 one trip). From
those days:

- the **typical interval** is the median of the gaps between consecutive purchase days (robust to one long
  holiday, unlike a mean interval);
- **regularity** is the coefficient of variation (CV) of the gaps. For Erlang-k inter-purchase times
  (shared/reference/analytics.md §6) CV = 1/√k, so CV ≤ 1/√2 means at least as clock-like as Erlang-2, the
  grocery benchmark: *regular*; above it *irregular*; fewer than three purchase days (two gaps) are *too few*;
- the **next expected day** is the last day plus the typical interval, rounded to whole days;
- a cycle is **due** when that day is at most ``within_days`` ahead, **overdue** when it has passed by no more
  than one typical interval (at least ``LAPSE_MIN_DAYS``), and **lapsed** beyond that: a member who missed a
  whole cycle is a win-back case, not a reminder.

``wheat_morrison_k`` is the programme-level estimate of §6 (Wheat & Morrison 1990, BTYDplus
``estimateRegularity``): one ratio per member from their most recent pair of gaps.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np

REGULAR_CV_MAX = 1 / math.sqrt(2)  # Erlang-2: CV = 1/sqrt(k)
MIN_DAYS_FOR_REGULARITY = 3  # two gaps, as §6 asks
LAPSE_MIN_DAYS = 7  # a daily buyer who skips a few days has not lapsed


class Regularity(StrEnum):
    REGULAR = "regular"
    IRREGULAR = "irregular"
    TOO_FEW = "too_few"


class DueState(StrEnum):
    AHEAD = "ahead"  # the next purchase is further off than the window
    DUE = "due"  # expected within the window (today included)
    OVERDUE = "overdue"  # expected day passed, by no more than one cycle
    LAPSED = "lapsed"  # a whole cycle missed


@dataclass(frozen=True, slots=True)
class Cycle:
    """One rhythm (a member's purchases of one category, or all their purchases)."""

    days: int  # distinct purchase days
    first_on: date
    last_on: date
    interval_days: float  # median gap
    variation: float | None  # coefficient of variation of the gaps; None with fewer than two gaps
    regularity: Regularity
    next_on: date

    def days_since_last(self, today: date) -> int:
        return (today - self.last_on).days

    def days_until(self, today: date) -> int:
        """Whole days to the next expected purchase; negative when overdue."""
        return (self.next_on - today).days


def local_days(moments: Iterable[datetime], zone: ZoneInfo) -> list[date]:
    """The distinct local dates of aware ``moments`` in ``zone``, ascending."""
    return sorted({moment.astimezone(zone).date() for moment in moments})


def day_gaps(days: Sequence[date]) -> list[int]:
    """Whole days between consecutive distinct days (``days`` in any order, repeats ignored)."""
    ordered = sorted(set(days))
    return [(later - earlier).days for earlier, later in itertools.pairwise(ordered)]


def typical_interval(gaps: Sequence[int]) -> float | None:
    """The median gap; None without any."""
    return float(np.median(gaps)) if gaps else None


def variation(gaps: Sequence[int]) -> float | None:
    """Coefficient of variation of the gaps (sample standard deviation over the mean); None with fewer than two."""
    if len(gaps) < 2:
        return None
    values = np.asarray(gaps, dtype=float)
    return float(values.std(ddof=1) / values.mean())


def regularity_of(gaps: Sequence[int]) -> Regularity:
    cv = variation(gaps)
    if cv is None or len(gaps) + 1 < MIN_DAYS_FOR_REGULARITY:
        return Regularity.TOO_FEW
    return Regularity.REGULAR if cv <= REGULAR_CV_MAX else Regularity.IRREGULAR


def whole_days(interval_days: float) -> int:
    """An interval rounded half up to whole days, at least one."""
    return max(1, math.floor(interval_days + 0.5))


def cycle_of(days: Sequence[date]) -> Cycle | None:
    """The rhythm of these purchase days; None with fewer than two distinct days."""
    gaps = day_gaps(days)
    interval = typical_interval(gaps)
    if interval is None:
        return None
    first, last = min(days), max(days)
    next_on = last + timedelta(days=whole_days(interval))
    return Cycle(len(gaps) + 1, first, last, interval, variation(gaps), regularity_of(gaps), next_on)


def due_state(cycle: Cycle, today: date, *, within_days: int) -> DueState:
    ahead = cycle.days_until(today)
    if ahead > within_days:
        return DueState.AHEAD
    if ahead >= 0:
        return DueState.DUE
    grace = max(whole_days(cycle.interval_days), LAPSE_MIN_DAYS)
    return DueState.OVERDUE if -ahead <= grace else DueState.LAPSED


def wheat_morrison_ratio(days: Sequence[date]) -> float | None:
    """M = ITT1 / (ITT1 + ITT2) over the most recent pair of gaps; None with fewer than three purchase days."""
    gaps = day_gaps(days)
    if len(gaps) < 2:
        return None
    first, second = gaps[-2], gaps[-1]
    return first / (first + second)


def wheat_morrison_k(ratios: Sequence[float]) -> float | None:
    """k̂ = (1 − 4·Var(M)) / (8·Var(M)) across members (sample variance, as R's ``var``); None when it cannot be
    estimated (fewer than two members, or no spread at all)."""
    if len(ratios) < 2:
        return None
    spread = float(np.var(np.asarray(ratios, dtype=float), ddof=1))
    if spread <= 0:
        return None
    return (1 - 4 * spread) / (8 * spread)

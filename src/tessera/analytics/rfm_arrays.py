"""The arithmetic of an RFM run over its population's columns, in NumPy: local days, thresholds, cuts, cells.

``rfm_sql.population_fetch`` reads five columns of the programme's scored members from ``members.MemberStats``
once; everything else a run stores (the learned thresholds, each score's cuts, the cells) is computed here from
those arrays, with the rules of ``rules.py`` turned into vector operations or lookup tables built from the rules
themselves, so that they cannot disagree (tested). Pure: nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from tessera.analytics.rules import (
    AT_RISK_PERCENT,
    LAPSED_PERCENT,
    TYPICAL_PERCENT,
    Cell,
    Stage,
    Thresholds,
    cut_positions,
    group_of,
    nearest_rank,
    thresholds_learn,
)

Ints = npt.NDArray[np.int64]
DAY = 86_400
DAY_US = DAY * 1_000_000
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Population:
    """One row per scored member: purchases, net spend (minor units), and the first, last and before-last
    purchase as Unix microseconds (the before-last equal to the last where there is none)."""

    frequency: Ints
    monetary: Ints
    first_at: Ints
    last_at: Ints
    previous_at: Ints


def day_number(day: date) -> int:
    """Days from 1970-01-01 to ``day``: the unit of ``local_days``."""
    return day.toordinal() - EPOCH_ORDINAL


def local_days(micros: Ints, timezone: str) -> Ints:
    """The local calendar day (``day_number``) of each Unix microsecond in ``timezone``.

    The zone's UTC offset is looked up once a day over the span of the values, and each change found is pinned
    to its second by bisection; every value then takes the offset in force at it, with one division. Zones change
    offset at most a few times a year, so a million values cost a few hundred look-ups instead of a million
    (PostgreSQL's own conversion took 0.2 s per column at a million rows, bench/segments.py).
    """
    if micros.size == 0:
        return micros.copy()
    zone = ZoneInfo(timezone)

    def offset(at: int) -> int:
        delta = datetime.fromtimestamp(at, UTC).astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta else 0

    low, high = int(micros.min()) // 1_000_000, int(micros.max()) // 1_000_000
    starts, offsets = [low], [offset(low)]
    at = low
    while at < high:
        step = min(at + DAY, high)
        if (new := offset(step)) != offsets[-1]:
            before, after = at, step  # offset(before) is the current one, offset(after) the new one
            while after - before > 1:
                middle = (before + after) // 2
                before, after = (middle, after) if offset(middle) == offsets[-1] else (before, middle)
            starts.append(after)
            offsets.append(new)
        at = step
    if len(starts) == 1:
        return (micros + offsets[0] * 1_000_000) // DAY_US
    index = np.searchsorted(np.array(starts, dtype=np.int64) * 1_000_000, micros, side="right") - 1
    return (micros + np.array(offsets, dtype=np.int64)[index] * 1_000_000) // DAY_US


def _picks(values: Ints, positions: Sequence[int]) -> list[int]:
    """The values at the 1-based ``positions`` of ``values`` sorted ascending, without sorting them: from
    per-value counts where the values span a small range (days, purchases: a few hundred distinct values), by
    selection (``np.partition``) otherwise (net spend)."""
    low, high = int(values.min()), int(values.max())
    if high - low < 4 * values.size + 1_000:
        running = np.cumsum(np.bincount(values - low))
        return [low + int(np.searchsorted(running, p, side="left")) for p in positions]
    picked = np.partition(values, sorted({p - 1 for p in positions}))
    return [int(picked[p - 1]) for p in positions]


def thresholds_of(frequency: Ints, span_days: Ints) -> Thresholds:
    """The lifecycle thresholds (``rules.thresholds_learn``) from the repeat buyers whose purchases fell on two or
    more local days: the nearest-rank 50th, 80th and 95th percentiles of their mean interval in days.

    The thresholds are those percentiles rounded up to whole days, and rounding up keeps the order, so the
    percentiles are picked from the intervals already rounded up, which are few. (A float division is exact
    enough here: an interval that is not a whole number of days is at least 1 / purchases away from one, far
    more than the division's rounding error.)"""
    repeat = (frequency >= 2) & (span_days > 0)
    whole_days = np.ceil(span_days[repeat] / (frequency[repeat] - 1)).astype(np.int64)
    n = int(whole_days.size)
    if n == 0:
        return thresholds_learn(repeat_buyers=0, quantiles=[None, None, None])
    positions = [nearest_rank(p, n) for p in (TYPICAL_PERCENT, AT_RISK_PERCENT, LAPSED_PERCENT)]
    return thresholds_learn(repeat_buyers=n, quantiles=[float(q) for q in _picks(whole_days, positions)])


def cuts_of(values: Ints) -> list[int]:
    """The four cuts of ``values``: the values at ``rules.cut_positions`` in ascending order ([] if none)."""
    return _picks(values, cut_positions(int(values.size))) if values.size else []


def scores_of(values: Ints, cuts: Sequence[int]) -> Ints:
    """``rules.score_of`` for every value: 1 + the number of cuts below it (four comparisons: faster than a
    binary search per value)."""
    score = np.ones(values.shape, dtype=np.int64)
    for cut in cuts:
        score += values > cut
    return score


def stages_of(recency: Ints, frequency: Ints, gap_days: Ints, thresholds: Thresholds) -> Ints:
    """``rules.stage_of`` for every member; ``gap_days`` 0 where there is no purchase before the last."""
    stage = np.full(recency.shape, Stage.ACTIVE.value, dtype=np.int64)
    stage[(frequency == 1) & (recency <= thresholds.typical_days)] = Stage.NEW.value
    stage[gap_days > thresholds.at_risk_days] = Stage.REACTIVATED.value
    stage[recency > thresholds.at_risk_days] = Stage.AT_RISK.value
    stage[recency > thresholds.lapsed_days] = Stage.LAPSED.value
    return stage


@dataclass(frozen=True)
class Scored:
    """A run over its population: the values ranked, the scores and stages, the cuts and the thresholds. Working
    groups depend only on the scores and on whether net spend is positive, so they are decided per cell."""

    recency: Ints
    frequency: Ints
    monetary: Ints
    r: Ints
    f: Ints
    m: Ints
    stage: Ints
    cuts: dict[str, list[int]]
    thresholds: Thresholds


def score(population: Population, *, reference_date: date, timezone: str) -> Scored:
    """Everything a run decides about its members, from their statistics alone."""
    last = local_days(population.last_at, timezone)
    recency = day_number(reference_date) - last
    thresholds = thresholds_of(population.frequency, last - local_days(population.first_at, timezone))
    gap = last - local_days(population.previous_at, timezone)
    cuts = {"recency_days": cuts_of(recency), "frequency": cuts_of(population.frequency),
            "monetary_minor": cuts_of(population.monetary)}  # fmt: skip
    r = 6 - scores_of(recency, cuts["recency_days"])
    f = scores_of(population.frequency, cuts["frequency"])
    m = scores_of(population.monetary, cuts["monetary_minor"])
    stages = stages_of(recency, population.frequency, gap, thresholds)
    return Scored(recency, population.frequency, population.monetary, r, f, m, stages, cuts, thresholds)


_STAGES = len(Stage)


def cells_of(scored: Scored) -> list[Cell]:
    """The run's non-empty cells, from one pass of counts, sums, minima and maxima over a cell number made of
    R, F, M, whether net spend is positive, and stage; the working group is then ``rules.group_of`` per cell."""
    key = (((scored.r - 1) * 5 + scored.f - 1) * 5 + scored.m - 1) * 2 + (scored.monetary > 0)
    key = key * _STAGES + scored.stage - 1
    bins = 125 * 2 * _STAGES
    members = np.bincount(key, minlength=bins)
    total = np.zeros(bins, dtype=np.int64)
    np.add.at(total, key, scored.monetary)
    ranges = []
    for values in (scored.recency, scored.frequency, scored.monetary):
        low, high = np.full(bins, np.iinfo(np.int64).max), np.full(bins, np.iinfo(np.int64).min)
        np.minimum.at(low, key, values)
        np.maximum.at(high, key, values)
        ranges.append((low, high))
    merged: dict[tuple[int, int, int, int, int], list[int]] = {}
    for k in np.flatnonzero(members).tolist():
        rest, stage = divmod(k, _STAGES)
        rest, positive = divmod(rest, 2)
        rest, m = divmod(rest, 5)
        r, f = divmod(rest, 5)
        group = group_of(r + 1, f + 1, m + 1, monetary_minor=positive).value
        totals = [int(members[k]), *(int(bound[k]) for pair in ranges for bound in pair), int(total[k])]
        cell = (r + 1, f + 1, m + 1, group, stage + 1)
        merged[cell] = _merge(merged[cell], totals) if cell in merged else totals
    return [Cell(r, f, m, group, stage, *totals) for (r, f, m, group, stage), totals in sorted(merged.items())]


def _merge(a: list[int], b: list[int]) -> list[int]:
    """Two cells' totals (members, then min and max of recency, purchases and net spend, then the spend sum)."""
    bounds = [min(a[k], b[k]) if k % 2 else max(a[k], b[k]) for k in range(1, 7)]
    return [a[0] + b[0], *bounds, a[7] + b[7]]

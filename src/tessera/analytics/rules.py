"""RFM, working groups and lifecycle stages: the pure rules (docs/analytics.md, "RFM, working groups and lifecycle").

Nothing here reads the database. A run applies these rules to its whole population in NumPy (``rfm_arrays``),
a member's scores are computed from them one at a time (``selectors``) or as SQL over the statistics
(``rfm_sql``); the CASE expressions for segments and working groups are generated from the tables below, so the
SQL and ``segment_of``/``group_of`` cannot disagree, and tests compare all three member by member.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SCORES = (1, 2, 3, 4, 5)


class Segment(models.IntegerChoices):
    """The standard 10-segment R-F map (shared/reference/analytics.md §1); stored as these small numbers."""

    HIBERNATING = 1, _("Hibernating")
    AT_RISK = 2, _("At risk")
    CANT_LOSE = 3, _("Can't lose them")
    ABOUT_TO_SLEEP = 4, _("About to sleep")
    NEED_ATTENTION = 5, _("Need attention")
    LOYAL_CUSTOMERS = 6, _("Loyal customers")
    PROMISING = 7, _("Promising")
    NEW_CUSTOMERS = 8, _("New customers")
    POTENTIAL_LOYALISTS = 9, _("Potential loyalists")
    CHAMPIONS = 10, _("Champions")


class WorkingGroup(models.IntegerChoices):
    """Seed 001's four member groups (function 5, "data analysis and precise marketing"); 0 is none of them."""

    NONE = 0, _("In no working group")
    HIGH_VALUE = 1, _("High-value members")
    GROW_BASKET = 2, _("Members whose basket size should grow")
    GROW_FREQUENCY = 3, _("Members whose visit frequency should grow")
    POOR_OR_LAPSED = 4, _("Poor or lapsed members")


class Stage(models.IntegerChoices):
    # With a context: "Active" and "New" already name other things (a member's status) in the catalogues.
    NEW = 1, pgettext_lazy("lifecycle stage", "New")
    ACTIVE = 2, pgettext_lazy("lifecycle stage", "Active")
    AT_RISK = 3, pgettext_lazy("lifecycle stage", "At risk (sleeping)")
    LAPSED = 4, pgettext_lazy("lifecycle stage", "Lapsed")
    REACTIVATED = 5, pgettext_lazy("lifecycle stage", "Reactivated")


def code_of(choice: models.IntegerChoices) -> str:
    """The stable text code of a segment, group or stage (``champions``, ``grow_basket``, ``at_risk``)."""
    return choice.name.lower()


# ---------------------------------------------------------------- the R-F map and the working groups


@dataclass(frozen=True)
class Box:
    """A block of score cells: each score within its inclusive range."""

    r: tuple[int, int] = (1, 5)
    f: tuple[int, int] = (1, 5)
    m: tuple[int, int] = (1, 5)

    def holds(self, r: int, f: int, m: int = 1) -> bool:
        return self.r[0] <= r <= self.r[1] and self.f[0] <= f <= self.f[1] and self.m[0] <= m <= self.m[1]

    def sql(self, r: str, f: str, m: str) -> str:
        parts = [
            f"{column} BETWEEN {low} AND {high}"
            for column, (low, high) in ((r, self.r), (f, self.f), (m, self.m))
            if (low, high) != (1, 5)
        ]
        return " AND ".join(parts) or "1 = 1"


# The recipe's table, row for row: every one of the 25 (R, F) cells is in exactly one box (tested).
SEGMENT_MAP: tuple[tuple[Segment, Box], ...] = (
    (Segment.HIBERNATING, Box(r=(1, 2), f=(1, 2))),
    (Segment.AT_RISK, Box(r=(1, 2), f=(3, 4))),
    (Segment.CANT_LOSE, Box(r=(1, 2), f=(5, 5))),
    (Segment.ABOUT_TO_SLEEP, Box(r=(3, 3), f=(1, 2))),
    (Segment.NEED_ATTENTION, Box(r=(3, 3), f=(3, 3))),
    (Segment.LOYAL_CUSTOMERS, Box(r=(3, 4), f=(4, 5))),
    (Segment.PROMISING, Box(r=(4, 4), f=(1, 1))),
    (Segment.NEW_CUSTOMERS, Box(r=(5, 5), f=(1, 1))),
    (Segment.POTENTIAL_LOYALISTS, Box(r=(4, 5), f=(2, 3))),
    (Segment.CHAMPIONS, Box(r=(5, 5), f=(4, 5))),
)


@dataclass(frozen=True)
class GroupRule:
    group: WorkingGroup
    box: Box
    or_net_spend_not_positive: bool = False  # also every member whose returns cancelled what they bought


# Checked in this order; the boxes do not overlap, so the order matters only for the returns clause, which puts
# a member who returned everything among the poor even if they came often. The reasons are in docs/analytics.md.
GROUP_RULES: tuple[GroupRule, ...] = (
    GroupRule(WorkingGroup.POOR_OR_LAPSED, Box(r=(1, 2), f=(1, 2)), or_net_spend_not_positive=True),
    GroupRule(WorkingGroup.HIGH_VALUE, Box(r=(4, 5), f=(4, 5), m=(4, 5))),
    GroupRule(WorkingGroup.GROW_BASKET, Box(r=(3, 5), f=(4, 5), m=(1, 2))),
    GroupRule(WorkingGroup.GROW_FREQUENCY, Box(r=(3, 5), f=(1, 2), m=(4, 5))),
)


def segment_of(r: int, f: int) -> Segment:
    for segment, box in SEGMENT_MAP:
        if box.holds(r, f):
            return segment
    raise ValueError(f"scores out of range: r={r}, f={f}")


def group_of(r: int, f: int, m: int, *, monetary_minor: int) -> WorkingGroup:
    for rule in GROUP_RULES:
        if rule.box.holds(r, f, m) or (rule.or_net_spend_not_positive and monetary_minor <= 0):
            return rule.group
    return WorkingGroup.NONE


def segment_sql(r: str, f: str) -> str:
    """A CASE expression giving the segment number of the score columns ``r`` and ``f``."""
    whens = " ".join(f"WHEN {box.sql(r, f, '')} THEN {segment.value}" for segment, box in SEGMENT_MAP)
    return f"CASE {whens} END"


def group_sql(r: str, f: str, m: str, monetary: str) -> str:
    """A CASE expression giving the working group number (0: none) of the score columns and net spend."""
    whens = []
    for rule in GROUP_RULES:
        condition = rule.box.sql(r, f, m)
        if rule.or_net_spend_not_positive:
            condition = f"{monetary} <= 0 OR ({condition})"
        whens.append(f"WHEN {condition} THEN {rule.group.value}")
    return f"CASE {' '.join(whens)} ELSE {WorkingGroup.NONE.value} END"


# ---------------------------------------------------------------- quintiles


def ntile(position: int, rows: int, buckets: int = 5) -> int:
    """The bucket (1-based) of the row at ``position`` (1-based) among ``rows`` ordered rows, as SQL's NTILE:
    equal buckets, the first ``rows % buckets`` of them one row larger."""
    if not 1 <= position <= rows:
        raise ValueError(f"position {position} outside 1..{rows}")
    size, larger = divmod(rows, buckets)
    if position <= larger * (size + 1):
        return (position - 1) // (size + 1) + 1
    return larger + (position - 1 - larger * (size + 1)) // size + 1


def cut_positions(rows: int, buckets: int = 5) -> list[int]:
    """The 1-based positions, among ``rows`` values sorted ascending, of the last value of each NTILE bucket but
    the top one (12 rows: 3, 6, 8, 10). The values there are a run's cuts (``score_of``)."""
    size, larger = divmod(rows, buckets)
    return [k * size + min(k, larger) for k in range(1, buckets)]


def score_of(value: int, cuts: Sequence[int]) -> int:
    """The score (1..5) of ``value`` against a run's four ascending cuts: one more than the number of cuts below it.

    Members with the same value always share a score. Without ties this is NTILE(5) exactly; a value at a cut
    takes the lower score, so ties at a cut make that score larger and the next smaller (or empty), never split.
    """
    return 1 + sum(1 for cut in cuts if value > cut)


def recency_score_of(recency_days: int, cuts: Sequence[int]) -> int:
    """R: the score of recency turned round, so that the most recent fifth scores 5."""
    return 6 - score_of(recency_days, cuts)


@dataclass(frozen=True)
class Cell:
    """One row of a run's summary: the members sharing scores, group and stage, and their value ranges."""

    r: int
    f: int
    m: int
    group: int
    stage: int
    members: int
    recency_min: int
    recency_max: int
    frequency_min: int
    frequency_max: int
    monetary_min: int
    monetary_max: int
    monetary_sum: int = 0

    @property
    def segment(self) -> int:
        return segment_of(self.r, self.f).value


def quintile_edges(cells: Iterable[Cell]) -> dict[str, list[list[int]]]:
    """Per dimension, the [lowest, highest] value of each score 1..5 (``[]`` where nobody has that score).

    Recency is listed by R score, so its first range holds the longest absences. Ranges never overlap: equal
    values share a score.
    """
    ranges: dict[str, dict[int, list[int]]] = {"recency_days": {}, "frequency": {}, "monetary_minor": {}}
    for c in cells:
        for name, score, low, high in (
            ("recency_days", c.r, c.recency_min, c.recency_max),
            ("frequency", c.f, c.frequency_min, c.frequency_max),
            ("monetary_minor", c.m, c.monetary_min, c.monetary_max),
        ):
            known = ranges[name].get(score)
            ranges[name][score] = [min(known[0], low), max(known[1], high)] if known else [low, high]
    return {name: [by_score.get(s, []) for s in SCORES] for name, by_score in ranges.items()}


# ---------------------------------------------------------------- lifecycle thresholds and stages

# Nearest-rank quantiles (the smallest value at or above p % of the members) of the repeat buyers' mean
# interval between purchases: half of them buy again within TYPICAL, four in five within AT_RISK, nineteen in
# twenty within LAPSED.
TYPICAL_PERCENT, AT_RISK_PERCENT, LAPSED_PERCENT = 50, 80, 95
MIN_REPEAT_BUYERS = 30  # fewer and the 95th percentile is one or two members: fall back to the defaults
DEFAULT_TYPICAL_DAYS, DEFAULT_AT_RISK_DAYS, DEFAULT_LAPSED_DAYS = 30, 90, 180


class ThresholdSource(models.TextChoices):
    LEARNED = "learned", _("Learned from the programme's purchase intervals")
    DEFAULT = "default", _("Defaults: too few repeat buyers to learn from")


@dataclass(frozen=True)
class Thresholds:
    """Days without a purchase after which a member is no longer new, is at risk, is lapsed."""

    typical_days: int
    at_risk_days: int
    lapsed_days: int
    source: str
    repeat_buyers: int


def nearest_rank(percent: int, rows: int) -> int:
    """The 1-based position of the nearest-rank ``percent`` quantile among ``rows`` sorted values: ceil(p n / 100)."""
    return (percent * rows + 99) // 100


def thresholds_learn(*, repeat_buyers: int, quantiles: Sequence[float | None]) -> Thresholds:
    """Thresholds from the 50th, 80th and 95th percentiles of the repeat buyers' mean intervals (days).

    Each is rounded up to whole days, typical at least one day, at risk at least typical and lapsed at least one
    day more than at risk, so that at risk can hold members even when the intervals tie.
    """
    if repeat_buyers < MIN_REPEAT_BUYERS or any(q is None for q in quantiles):
        return Thresholds(DEFAULT_TYPICAL_DAYS, DEFAULT_AT_RISK_DAYS, DEFAULT_LAPSED_DAYS, ThresholdSource.DEFAULT,
                          repeat_buyers)  # fmt: skip
    typical, at_risk, lapsed = (_ceil_days(q) for q in quantiles)
    typical = max(typical, 1)
    at_risk = max(at_risk, typical)
    lapsed = max(lapsed, at_risk + 1)
    return Thresholds(typical, at_risk, lapsed, ThresholdSource.LEARNED, repeat_buyers)


def _ceil_days(value: float | None) -> int:
    assert value is not None
    whole = int(value)
    return whole if whole == value else whole + 1


def stage_of(*, recency_days: int, frequency: int, thresholds: Thresholds, gap_days: int | None = None) -> Stage:
    """A member's lifecycle stage. ``gap_days`` is the number of local days from their purchase before the last to
    the last one (None with a single purchase): a member who came back after a gap longer than the at-risk
    threshold is reactivated until they buy again, when the gap becomes the one since their return.
    ``rfm_sql.stage_sql`` is the same decision."""
    if recency_days > thresholds.lapsed_days:
        return Stage.LAPSED
    if recency_days > thresholds.at_risk_days:
        return Stage.AT_RISK
    if gap_days is not None and gap_days > thresholds.at_risk_days:
        return Stage.REACTIVATED
    if frequency == 1 and recency_days <= thresholds.typical_days:
        return Stage.NEW
    return Stage.ACTIVE

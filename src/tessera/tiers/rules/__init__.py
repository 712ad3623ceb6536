"""Pure tier maths: what a ladder measures, which tier a member's counters reach, and what a window end decides.

Everything here takes and returns plain values, so the checkout path, the evaluation job and the progress view
share one definition and the tests need no database. A tier's *rank* is its position on the ladder, 0 being the
base tier every member holds without qualifying.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    POINTS_IN_WINDOW = "points_in_window", _("Points earned in the window")
    SPEND_IN_WINDOW = "spend_in_window", _("Spend in the window")
    STORED_VALUE_IN = "stored_value_in", _("Stored value put in during the window")
    LIFETIME_SPEND = "lifetime_spend", _("Lifetime spend")
    PURCHASE_COUNT = "purchase_count", _("Purchases in the window")


class Combine(models.TextChoices):
    AND = "and", _("Both measures")
    OR = "or", _("Either measure")


class WindowKind(models.TextChoices):
    CALENDAR_YEAR = "calendar_year", _("Calendar year")
    CALENDAR_MONTH = "calendar_month", _("Calendar month")
    ANNIVERSARY_YEAR = "anniversary_year", _("Card anniversary year")
    ROLLING_MONTHS = "rolling_months", _("Periods of N months from the card date")
    LIFETIME = "lifetime", _("Lifetime (never resets)")


class Downgrade(models.TextChoices):
    REEVALUATE = "reevaluate", _("Re-evaluate: the tier the window's value reaches")
    ONE_DOWN = "one_down", _("One tier down at most")


class Reason(models.TextChoices):
    JOINED = "joined", _("Joined the ladder on its base tier")
    UPGRADE = "upgrade", _("Reached a higher tier's threshold")
    REEVALUATED = "reevaluated", _("Re-evaluated at the end of the window")
    ONE_DOWN = "one_down", _("Moved one tier down at the end of the window")
    GRACE_ENDED = "grace_ended", _("Moved down when the grace period ended")


# The MemberTier column each measure reads. Only lifetime_spend_minor survives a window reset.
COUNTER_OF: dict[str, str] = {
    Measure.POINTS_IN_WINDOW: "points",
    Measure.SPEND_IN_WINDOW: "spend_minor",
    Measure.STORED_VALUE_IN: "stored_value_minor",
    Measure.LIFETIME_SPEND: "lifetime_spend_minor",
    Measure.PURCHASE_COUNT: "purchase_count",
}


@dataclass(frozen=True, slots=True)
class Counters:
    """A member's qualifying totals. Money in minor units; all may go below zero after returns."""

    points: int = 0
    spend_minor: int = 0
    stored_value_minor: int = 0
    purchase_count: int = 0
    lifetime_spend_minor: int = 0

    def plus(self, other: Counters) -> Counters:
        return Counters(
            self.points + other.points,
            self.spend_minor + other.spend_minor,
            self.stored_value_minor + other.stored_value_minor,
            self.purchase_count + other.purchase_count,
            self.lifetime_spend_minor + other.lifetime_spend_minor,
        )

    def reset(self) -> Counters:
        """The counters of a new window: everything counted per window starts again, lifetime spend stays."""
        return Counters(lifetime_spend_minor=self.lifetime_spend_minor)

    def of(self, measure: str) -> int:
        value: int = getattr(self, COUNTER_OF[measure])
        return value


def facts(*, points: int = 0, spend_minor: int = 0, stored_value_minor: int = 0, purchases: int = 0) -> Counters:
    """The counters one sale, return or top-up adds; spend also counts toward lifetime spend."""
    return Counters(points, spend_minor, stored_value_minor, purchases, spend_minor)


@dataclass(frozen=True, slots=True)
class Threshold:
    value: int
    second: int | None = None


@dataclass(frozen=True, slots=True)
class LadderRule:
    """How one ladder qualifies members; ``thresholds[rank]`` is what rank ``rank`` needs (rank 0 needs 0)."""

    measure: str
    second_measure: str | None
    combine: str | None
    window: str
    window_months: int | None
    downgrade: str
    grace_days: int
    thresholds: tuple[Threshold, ...]

    @property
    def top_rank(self) -> int:
        return len(self.thresholds) - 1

    def meets(self, rank: int, counters: Counters) -> bool:
        need = self.thresholds[rank]
        first = counters.of(self.measure) >= need.value
        if self.second_measure is None:
            return first
        second = counters.of(self.second_measure) >= (need.second or 0)
        return (first and second) if self.combine == Combine.AND else (first or second)

    def qualifying_rank(self, counters: Counters) -> int:
        """The highest rank whose threshold the counters meet; the base tier needs nothing."""
        for rank in range(self.top_rank, 0, -1):
            if self.meets(rank, counters):
                return rank
        return 0

    def evaluated_rank(self, current: int, counters: Counters) -> int:
        """The rank a window's counters earn at the window's end, by the ladder's downgrade policy.

        ``reevaluate`` gives the qualifying rank, however far down; ``one_down`` keeps the current rank when the
        counters still reach it and otherwise drops exactly one rank. Neither goes below the base tier.
        """
        qualifying = self.qualifying_rank(counters)
        if self.downgrade == Downgrade.ONE_DOWN and qualifying < current:
            return current - 1
        return qualifying

    def values(self, counters: Counters) -> tuple[int, int | None]:
        """The measured values, as recorded on tier events."""
        second = counters.of(self.second_measure) if self.second_measure else None
        return counters.of(self.measure), second

    def resets(self, measure: str) -> bool:
        """Whether a window end sets this measure back to zero (lifetime spend and lifetime windows never do)."""
        return measure != Measure.LIFETIME_SPEND and self.window != WindowKind.LIFETIME


def remaining(rule: LadderRule, rank: int, counters: Counters) -> tuple[int, int | None]:
    """How much more of each measure reaching ``rank`` needs (0 when already there)."""
    need = rule.thresholds[rank]
    first = max(0, need.value - counters.of(rule.measure))
    if rule.second_measure is None:
        return first, None
    return first, max(0, (need.second or 0) - counters.of(rule.second_measure))

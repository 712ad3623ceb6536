"""Pure arithmetic of the value statement (docs/value-statements.md): the weeks averaged, the pace, the
projection to year end and the spend a next reward threshold needs. Plain values in and out, no database.

Money is integer minor units and points are integers throughout. Every rounding is down, once, at the end, so
the statement never promises more than the programme will give: a weekly average of 523.456 yuan is 523.45,
2,618.9 projected points are 2,618. The one exception is the weekly spend a threshold needs, which rounds up,
because spending the rounded-down figure would fall just short.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

WEEKS_AVERAGED = 8
WEEK_DAYS = 7
# The highest weekly spend a threshold search tries (10 million yuan or 100 billion won): above it, or when
# caps stop the points from growing, the threshold is "not reachable by spending more".
WEEKLY_SPEND_SEARCH_MAX_MINOR = 10**9

PointsForBasket = Callable[[int], int]


@dataclass(frozen=True, slots=True)
class Period:
    """The local days averaged, ``start`` to ``end`` exclusive; ``since_enrolment`` when shorter than 8 weeks."""

    start: date
    end: date
    since_enrolment: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (ISO weeks, Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def averaging_period(*, today: date, enrolled_on: date, weeks: int = WEEKS_AVERAGED) -> Period:
    """The last ``weeks`` complete Monday-to-Sunday weeks before ``today``'s week, or fewer since enrolment.

    A member who joined during those weeks is averaged from their enrolment day (a part week counts as its
    days, so four days of shopping are not spread over seven). One who joined this very week has no complete
    day behind them, so their days so far, today included, are averaged.
    """
    end = week_start(today)
    start = end - timedelta(days=WEEK_DAYS * weeks)
    if enrolled_on <= start:
        return Period(start, end, since_enrolment=False)
    if enrolled_on < end:
        return Period(enrolled_on, end, since_enrolment=True)
    return Period(min(enrolled_on, today), today + timedelta(days=1), since_enrolment=True)


def weekly_average_minor(*, net_minor: int, days: int) -> int:
    """Average spend per seven days, rounded down; a period whose returns exceed its sales averages zero."""
    if days <= 0 or net_minor <= 0:
        return 0
    return net_minor * WEEK_DAYS // days


def baskets_per_week(*, sales: int, days: int) -> Fraction:
    """How often the member shops, exactly; a member with no sale yet is assumed to shop once a week."""
    if sales <= 0 or days <= 0:
        return Fraction(1)
    return Fraction(sales * WEEK_DAYS, days)


def year_end(today: date) -> date:
    """The last day of ``today``'s year (the statement's horizon)."""
    return date(today.year, 12, 31)


def days_through(today: date, last_day: date) -> int:
    """Days from ``today`` to ``last_day``, both included; zero when ``last_day`` has passed."""
    return max((last_day - today).days + 1, 0)


def points_at_pace(*, weekly_minor: int, per_week: Fraction, days: int, points_for_basket: PointsForBasket) -> int:
    """Points earned over ``days`` when ``weekly_minor`` is spent each week in ``per_week`` equal baskets.

    ``points_for_basket`` is the programme's earning for one basket (its caps included), so the projection
    follows the real rules rather than a flat rate. Rounded down once, on the exact total.
    """
    if weekly_minor <= 0 or days <= 0:
        return 0
    basket = int(weekly_minor / per_week)  # a Fraction, so int() rounds down exactly
    return int(points_for_basket(basket) * per_week * days / WEEK_DAYS)


def points_worth_minor(*, points: int, value_points: int, value_minor: int) -> int:
    """Money ``points`` pay for at the programme's point value, rounded down as paying with points at the till
    does (``earning.burn.burn_limit``): a member is never told their points buy more than they do."""
    if points <= 0:
        return 0
    return points * value_minor // value_points


def weekly_spend_for_spend(*, spend_needed_minor: int, days: int) -> int | None:
    """The weekly spend that adds ``spend_needed_minor`` within ``days``, rounded up; None: no days left."""
    if days <= 0:
        return None
    return max(-(-spend_needed_minor * WEEK_DAYS // days), 0)


def weekly_spend_for_points(
    *, points_needed: int, days: int, per_week: Fraction, points_for_basket: PointsForBasket
) -> int | None:
    """The smallest weekly spend whose points over ``days`` reach ``points_needed``; None if none does.

    A binary search over whole minor units: earning only grows with spend (caps flatten it, never lower it), so
    the first spend that reaches the points is exact, whatever the rules.
    """
    if points_needed <= 0:
        return 0

    def enough(weekly: int) -> bool:
        return points_at_pace(weekly_minor=weekly, per_week=per_week, days=days,
                              points_for_basket=points_for_basket) >= points_needed  # fmt: skip

    low, high = 0, WEEKLY_SPEND_SEARCH_MAX_MINOR
    if days <= 0 or not enough(high):
        return None
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


@dataclass(frozen=True, slots=True)
class Target:
    """A reward reachable by spending ``weekly_minor`` a week: the next tier by ``by``, or a monthly gift step."""

    kind: str  # "tier" or "gift"
    name: str
    weekly_minor: int
    by: date


def target_choose(targets: Sequence[Target], *, weekly_now_minor: int) -> Target | None:
    """The nearest reward above the member's pace: the smallest weekly spend above what they spend now.

    Targets the current pace already reaches are left out (the statement is about spending more); on a tie the
    tier wins, as it lasts longer than one month's gift.
    """
    above = [t for t in targets if t.weekly_minor > weekly_now_minor]
    return min(above, key=lambda t: (t.weekly_minor, t.kind != "tier"), default=None)


def gift_step_next(
    thresholds: Sequence[int], *, points_in_month_at_pace: int
) -> int | None:  # fmt: skip
    """The lowest monthly step above the points a month at the member's pace earns; None at the top."""
    return min((t for t in thresholds if t > points_in_month_at_pace), default=None)

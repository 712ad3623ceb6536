"""Pure gift-ladder maths: which calendar month an event belongs to, when a claim window closes, which steps.

Every date here is a programme-local calendar date; instants are timezone-aware. Nothing touches the database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS_AFTER_UNLOCK = "days_after_unlock"
END_OF_NEXT_MONTH = "end_of_next_month"


def local_date(at: datetime, timezone: str) -> date:
    """The calendar date of the instant ``at`` in ``timezone``."""
    return at.astimezone(ZoneInfo(timezone)).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_add(month: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``month``."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def local_midnight(day: date, timezone: str) -> datetime:
    """The instant ``day`` begins in ``timezone``."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


def month_of(at: datetime, timezone: str) -> date:
    """The first day of the programme-local calendar month containing ``at``.

    A sale at 23:59 on 31 March in Shanghai (15:59 UTC) belongs to March; one at 00:00 on 1 April (16:00 UTC on
    31 March) belongs to April, whatever the server's or UTC's date.
    """
    return month_start(local_date(at, timezone))


@dataclass(frozen=True, slots=True)
class ClaimWindow:
    """How long an unlocked gift may be claimed: ``days`` after the unlock day, or to the end of the next month."""

    policy: str
    days: int | None = None

    def __post_init__(self) -> None:
        if self.policy == DAYS_AFTER_UNLOCK:
            if self.days is None or self.days < 0:
                raise ValueError("a claim window in days needs days >= 0")
        elif self.policy != END_OF_NEXT_MONTH:
            raise ValueError(f"unknown claim policy {self.policy!r}")

    def closes_at(self, *, month: date, unlocked_at: datetime, timezone: str) -> datetime:
        """The instant the window closes (exclusive): a claim at or after it is refused.

        Windows close at local midnight, never mid-day: ``days=7`` after an unlock at 14:00 on 15 March allows
        claims until the end of 22 March. ``end_of_next_month`` for March's gift closes as 1 May begins.
        """
        if self.policy == END_OF_NEXT_MONTH:
            return local_midnight(month_add(month, 2), timezone)
        assert self.days is not None
        last_day = local_date(unlocked_at, timezone) + timedelta(days=self.days)
        return local_midnight(last_day + timedelta(days=1), timezone)


def is_active(day: date, *, active_from: date, active_to: date | None) -> bool:
    """Whether a ladder applies on ``day``; ``active_to`` is exclusive, None means open-ended."""
    return active_from <= day and (active_to is None or day < active_to)


@dataclass(frozen=True, slots=True)
class Step:
    step_id: int
    threshold_points: int


def steps_reached(steps: Sequence[Step], points: int) -> list[Step]:
    """Steps whose threshold ``points`` meets, lowest first."""
    return sorted((s for s in steps if s.threshold_points <= points), key=lambda s: s.threshold_points)


def steps_to_unlock(steps: Sequence[Step], points: int, live: Collection[int]) -> list[Step]:
    """Steps ``points`` meets that have no live gift this month (``live``: their step ids), lowest first."""
    return [s for s in steps_reached(steps, points) if s.step_id not in live]


def steps_above(steps: Sequence[Step], points: int) -> list[Step]:
    """Steps whose threshold is above ``points``: the ones a return can take a month back below."""
    return sorted((s for s in steps if s.threshold_points > points), key=lambda s: s.threshold_points)


def step_next(steps: Sequence[Step], points: int) -> Step | None:
    """The lowest step not yet reached, or None when the month has reached the top of the ladder."""
    above = steps_above(steps, points)
    return above[0] if above else None


def counter_after(points_before: int, delta: int) -> int:
    """A month's counter after ``delta`` points; it never goes below zero.

    A return can only take back points its sale put into the counter, but a sale made before the ladder existed
    (or before its first day) was never counted; taking its return off would leave a negative month.
    """
    return max(points_before + delta, 0)

"""Qualification windows on the programme's local calendar.

Every window that ends is a run of N months from an anchor date: a calendar month is 1 month from 1 January
2000, a calendar year 12 months from it, a card anniversary year 12 months from the member's card date, and
"rolling N months" N months from the card date. Windows are half-open, ``[start, end)``: ``end`` is the first day
of the next window, so a card dated 15 March 2025 has the year 15 March 2025 to 14 March 2026 ("to the day
before its anniversary") and ``end`` 15 March 2026. A lifetime window starts on the card date and never ends.

When the anchor's day does not exist in a month (29 February, 31 April), the boundary is the first day of the
following month, so a member never loses a day: the anniversary year of a card dated 29 February 2024 ends on
28 February 2025 and the next one starts on 1 March 2025.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tessera.tiers.rules import WindowKind

CALENDAR_ANCHOR = date(2000, 1, 1)
_MONTHS: dict[str, int] = {
    WindowKind.CALENDAR_MONTH: 1,
    WindowKind.CALENDAR_YEAR: 12,
    WindowKind.ANNIVERSARY_YEAR: 12,
}


def window_months(kind: str, months: int | None) -> int | None:
    """The length of the kind's windows in months; None for a lifetime window."""
    if kind == WindowKind.LIFETIME:
        return None
    if kind == WindowKind.ROLLING_MONTHS:
        if not months or months <= 0:
            raise ValueError("a rolling window needs a positive number of months")
        return months
    return _MONTHS[kind]


def is_anchored(kind: str) -> bool:
    """Whether the windows follow each member's card date (otherwise every member shares the calendar's)."""
    return kind in (WindowKind.ANNIVERSARY_YEAR, WindowKind.ROLLING_MONTHS, WindowKind.LIFETIME)


def member_anchor(kind: str, card_date: date) -> date | None:
    """What a member's MemberTier row stores as its anchor: the card date, or None for calendar windows."""
    return card_date if is_anchored(kind) else None


def month_shift(anchor: date, months: int) -> date:
    """``anchor`` moved by whole months; a day missing from the target month becomes the next month's first."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if anchor.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, anchor.day)
    year, month = divmod(index + 1, 12)
    return date(year, month + 1, 1)


def window_containing(kind: str, months: int | None, anchor: date | None, day: date) -> tuple[date, date | None]:
    """The window of this kind that contains ``day``: ``(start, end)``, end exclusive, None for lifetime."""
    base = anchor or CALENDAR_ANCHOR
    length = window_months(kind, months)
    if length is None:
        return base, None
    # A first guess from whole months, corrected by at most a step each way for day-of-month effects.
    k = ((day.year - base.year) * 12 + day.month - base.month) // length
    while month_shift(base, k * length) > day:
        k -= 1
    while month_shift(base, (k + 1) * length) <= day:
        k += 1
    return month_shift(base, k * length), month_shift(base, (k + 1) * length)


def min_window_days(kind: str, months: int | None) -> int | None:
    """The fewest days any window of this kind can have (February makes a month as short as 28 days)."""
    length = window_months(kind, months)
    return None if length is None else 28 * length


def local_date(at: datetime, timezone: str) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


def local_midnight(day: date, timezone: str) -> datetime:
    """The instant a local day begins: when a window that ends on ``day`` hands over to the next."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


def last_day(end: date | None) -> date | None:
    """The last day inside a window that ends (exclusively) on ``end``."""
    return None if end is None else end - timedelta(days=1)

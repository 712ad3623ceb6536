"""Earning's calendar: which birthday periods a date falls in, and the programme's local days. Pure, no database.

**Birthdays.** The birthday week is Monday to Sunday around the birthday; the month is the birth month. A
February 29 birthday falls on February 28 in other years: it stays in February, so the month never moves.

**Local days.** Day rules, birthdays and the per-day cap follow the calendar of the programme's time zone: a sale
at 23:59 in Shanghai belongs to that day there, whatever the date is in UTC.
"""

from __future__ import annotations

import calendar
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class BirthdayScope(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def birthday_on(birthday: date, year: int) -> date:
    """The birthday's date in ``year``; February 29 falls on February 28 in other years (it stays in February)."""
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birthday.replace(year=year)


def birthday_scopes(birthday: date, on: date) -> frozenset[BirthdayScope]:
    """Which birthday periods ``on`` falls in: the day, the week (Monday to Sunday around it), the month."""
    scopes = set()
    if on.month == birthday.month:
        scopes.add(BirthdayScope.MONTH)
    if on == birthday_on(birthday, on.year):
        scopes.add(BirthdayScope.DAY)
    # Near New Year the week around last year's or next year's birthday may hold ``on``.
    for year in range(max(on.year - 1, MINYEAR), min(on.year + 1, MAXYEAR) + 1):
        day = birthday_on(birthday, year)
        monday = day - timedelta(days=day.weekday())
        if monday <= on <= monday + timedelta(days=6):
            scopes.add(BirthdayScope.WEEK)
    return frozenset(scopes)


def local_date(at: datetime, timezone: str) -> date:
    """The calendar date at the till's moment ``at`` in the programme's time zone."""
    return at.astimezone(ZoneInfo(timezone)).date()


def local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """Local midnight starting ``day`` and the next one, as aware datetimes (start inclusive, end exclusive)."""
    zone = ZoneInfo(timezone)
    return datetime.combine(day, time(), zone), datetime.combine(day + timedelta(days=1), time(), zone)

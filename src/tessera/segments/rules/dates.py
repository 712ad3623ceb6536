"""Dates of segment conditions as local-date ranges, worked out on the day of the count (pure functions).

Every range is ``[start, end)`` of local dates in the programme's time zone; None on a side is open. The
selectors turn a range over a date-time field into local midnights. "In the last N days" is today and the
N - 1 days before it (N = 1 is today); "more than N days ago" is every day before those. A birthday on
29 February counts as 28 February in a year without one; ages change on the birthday (1 March for those born
on 29 February, in such a year), the way a person says it.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from tessera.segments.rules.fields import Op

DateRange = tuple[date | None, date | None]


def date_range(op: Op, value: object, today: date) -> DateRange:
    """The local dates a date condition selects (not ``is_empty`` / ``is_set``, which test for no date)."""
    if op is Op.ON:
        assert isinstance(value, date)
        return value, value + timedelta(days=1)
    if op is Op.BEFORE:
        assert isinstance(value, date)
        return None, value
    if op is Op.AFTER:
        assert isinstance(value, date)
        return value + timedelta(days=1), None
    if op is Op.BETWEEN:
        assert isinstance(value, tuple)
        low, high = value
        return low, high + timedelta(days=1)
    assert isinstance(value, int)
    first = today - timedelta(days=value - 1)
    if op is Op.IN_LAST_DAYS:
        return first, today + timedelta(days=1)
    if op is Op.NOT_IN_LAST_DAYS:
        return None, first
    raise ValueError(op)


def in_range(day: date | None, window: DateRange) -> bool:
    start, end = window
    return day is not None and (start is None or day >= start) and (end is None or day < end)


def birthday_spans(op: Op, value: object, today: date) -> list[tuple[int, int, int]]:
    """``(month, first day, last day)`` spans of the birthdays a ``this_month`` or ``in_next_days`` condition
    selects: ``in_next_days`` N is today and the N - 1 days after it. At most 13 spans, whatever N is."""
    if op is Op.THIS_MONTH:
        return [(today.month, 1, 31)]
    assert op is Op.IN_NEXT_DAYS
    assert isinstance(value, int)
    spans: dict[tuple[int, int], list[int]] = {}
    for offset in range(min(value, 366)):
        day = today + timedelta(days=offset)
        key = (day.year, day.month)
        spans.setdefault(key, [day.day, day.day])[1] = day.day
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            spans[key][1] = 29  # celebrated on the 28th in a year without the 29th
    # One span per month of each year the window touches; the same month twice (a window of nearly a year)
    # stays two spans, since the days between them are outside it.
    return [(month, first, last) for (_year, month), (first, last) in spans.items()]


def birthday_matches(birthday: date | None, op: Op, value: object, today: date) -> bool:
    if birthday is None:
        return False
    return any(m == birthday.month and lo <= birthday.day <= hi for m, lo, hi in birthday_spans(op, value, today))


def age_on(birthday: date, today: date) -> int:
    return today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))


def latest_birthday_for_age(age: int, today: date) -> date:
    """The last birth date of someone ``age`` or older today."""
    year = today.year - age
    if today.month == 2 and today.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return today.replace(year=year)


def age_birthday_range(op: Op, value: object, today: date) -> DateRange:
    """The birth dates of the ages a number condition on ``age`` selects (``ne`` is the complement of ``eq``)."""

    def oldest(age: int) -> date:  # the first birth date of someone ``age`` or younger: after the age + 1 one
        return latest_birthday_for_age(age + 1, today) + timedelta(days=1)

    def youngest(age: int) -> date:  # the day after the last birth date of someone ``age`` or older
        return latest_birthday_for_age(age, today) + timedelta(days=1)

    if op is Op.BETWEEN:
        assert isinstance(value, tuple)
        low, high = value
        return oldest(high), youngest(low)
    assert isinstance(value, int)
    ranges: dict[Op, DateRange] = {
        Op.EQ: (oldest(value), youngest(value)),
        Op.NE: (oldest(value), youngest(value)),
        Op.GTE: (None, youngest(value)),
        Op.GT: (None, youngest(value + 1)),
        Op.LTE: (oldest(value), None),
        Op.LT: (oldest(value - 1), None),
    }
    return ranges[op]

"""Birthdays and local days: the February 29 rule, birthday weeks across New Year, midnight in Shanghai and Seoul."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tessera.earning.rules import BirthdayScope, birthday_on, birthday_scopes, local_date, local_day_bounds

DAY, WEEK, MONTH = BirthdayScope.DAY, BirthdayScope.WEEK, BirthdayScope.MONTH
LEAP_DAY = date(1996, 2, 29)


class TestFebruary29:
    """A February 29 birthday falls on February 28 in other years, so it never leaves February."""

    def test_non_leap_years_use_february_28(self):
        assert birthday_on(LEAP_DAY, 2027) == date(2027, 2, 28)
        assert birthday_on(LEAP_DAY, 2028) == date(2028, 2, 29)

    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            (date(2027, 2, 28), {DAY, WEEK, MONTH}),  # Sunday 28 Feb 2027: the day, closing its week
            (date(2027, 2, 22), {WEEK, MONTH}),  # the Monday of that week
            (date(2027, 3, 1), set()),  # not March 1: the month stays February
            (date(2028, 2, 28), {WEEK, MONTH}),  # a leap year: the day is the 29th
            (date(2028, 2, 29), {DAY, WEEK, MONTH}),
            (date(2028, 3, 1), {WEEK}),  # Wednesday in the week of Tuesday 29 Feb 2028, but March
        ],
    )
    def test_scopes(self, on, expected):
        assert birthday_scopes(LEAP_DAY, on) == expected


class TestBirthdayWeek:
    def test_the_week_runs_monday_to_sunday_around_the_birthday(self):
        birthday = date(1990, 7, 8)  # 8 July 2026 is a Wednesday: the week is Mon 6 to Sun 12 July
        assert WEEK not in birthday_scopes(birthday, date(2026, 7, 5))
        assert birthday_scopes(birthday, date(2026, 7, 6)) == {WEEK, MONTH}
        assert birthday_scopes(birthday, date(2026, 7, 12)) == {WEEK, MONTH}
        assert birthday_scopes(birthday, date(2026, 7, 13)) == {MONTH}

    def test_a_new_years_eve_birthday_week_runs_into_january(self):
        # 31 Dec 2026 is a Thursday: its week is Mon 28 Dec 2026 to Sun 3 Jan 2027.
        birthday = date(1985, 12, 31)
        assert birthday_scopes(birthday, date(2027, 1, 3)) == {WEEK}
        assert birthday_scopes(birthday, date(2027, 1, 4)) == set()
        assert birthday_scopes(birthday, date(2026, 12, 28)) == {WEEK, MONTH}

    def test_a_new_years_day_birthday_week_starts_in_december(self):
        # 1 Jan 2027 is a Friday: its week starts on Mon 28 Dec 2026.
        assert birthday_scopes(date(2000, 1, 1), date(2026, 12, 28)) == {WEEK}


class TestLocalDays:
    def test_the_month_changes_at_midnight_in_shanghai_not_utc(self):
        # 16:10 UTC on 31 March is 00:10 on 1 April in Shanghai and 01:10 in Seoul.
        at = datetime(2026, 3, 31, 16, 10, tzinfo=UTC)
        assert local_date(at, "Asia/Shanghai") == date(2026, 4, 1)
        assert local_date(at, "Asia/Seoul") == date(2026, 4, 1)
        assert local_date(datetime(2026, 3, 31, 15, 59, tzinfo=UTC), "Asia/Shanghai") == date(2026, 3, 31)
        assert local_date(datetime(2026, 3, 31, 14, 59, tzinfo=UTC), "Asia/Seoul") == date(2026, 3, 31)

    def test_day_bounds_are_local_midnights(self):
        start, end = local_day_bounds(date(2026, 12, 31), "Asia/Seoul")
        assert start == datetime(2026, 12, 30, 15, 0, tzinfo=UTC)
        assert end == datetime(2026, 12, 31, 15, 0, tzinfo=UTC)
        start, _end = local_day_bounds(date(2027, 1, 1), "Asia/Shanghai")
        assert start == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)

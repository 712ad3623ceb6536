"""The relay's back-off and dead-letter rules, and which local dates a programme job owes (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tessera.messaging.rules import is_dead_letter, latest_due_date, local_dates_due, retry_delay

BASE, CAP = timedelta(seconds=60), timedelta(hours=6)


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [
        (0, 60),  # never tried: the base, not a fraction of it
        (1, 60),  # first failure waits one minute
        (2, 120),
        (3, 240),
        (4, 480),
        (9, 15_360),  # 60 x 2^8, 4 h 16 min
        (10, 21_600),  # 60 x 2^9 = 30,720 s is above the 6 h cap
        (1_000, 21_600),  # no overflow however often it failed
    ],
)
def test_retry_delay_doubles_from_the_base_up_to_the_cap(attempts, seconds):
    assert retry_delay(attempts=attempts, base=BASE, cap=CAP) == timedelta(seconds=seconds)


def test_a_message_is_a_dead_letter_only_when_unprocessed_after_its_last_attempt():
    assert not is_dead_letter(attempts=9, processed=False, attempts_max=10)
    assert is_dead_letter(attempts=10, processed=False, attempts_max=10)
    assert not is_dead_letter(attempts=10, processed=True, attempts_max=10)


class TestLatestDueDate:
    """2026-12-31 15:30 UTC is already New Year's Day in Seoul (UTC+9) but not yet in Shanghai (UTC+8)."""

    NEW_YEAR_IN_SEOUL = datetime(2026, 12, 31, 15, 30, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("timezone", "expected"),
        [("Asia/Seoul", date(2027, 1, 1)), ("Asia/Shanghai", date(2026, 12, 31)), ("UTC", date(2026, 12, 31))],
    )
    def test_local_midnight_follows_the_programme_zone(self, timezone, expected):
        assert latest_due_date(now=self.NEW_YEAR_IN_SEOUL, timezone=timezone, at_local_time=time(0, 0)) == expected

    def test_midnight_itself_is_due_and_one_second_before_is_not(self):
        shanghai_midnight = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
        due = latest_due_date(now=shanghai_midnight, timezone="Asia/Shanghai", at_local_time=time(0, 0))
        before = latest_due_date(
            now=shanghai_midnight - timedelta(seconds=1), timezone="Asia/Shanghai", at_local_time=time(0, 0)
        )
        assert (before, due) == (date(2026, 12, 31), date(2027, 1, 1))

    def test_a_later_run_time_keeps_the_previous_day_until_it_passes(self):
        seoul_0130 = datetime(2027, 2, 28, 16, 30, tzinfo=UTC)  # 01:30 on 1 March in Seoul
        assert latest_due_date(now=seoul_0130, timezone="Asia/Seoul", at_local_time=time(2, 30)) == date(2027, 2, 28)
        seoul_0230 = seoul_0130 + timedelta(hours=1)
        assert latest_due_date(now=seoul_0230, timezone="Asia/Seoul", at_local_time=time(2, 30)) == date(2027, 3, 1)


class TestLocalDatesDue:
    def test_a_job_that_never_ran_starts_with_the_latest_day_only(self):
        assert local_dates_due(latest=date(2027, 3, 4), last_done=None, open_dates=[]) == [date(2027, 3, 4)]

    def test_three_missed_days_are_owed_oldest_first(self):
        due = local_dates_due(latest=date(2027, 3, 4), last_done=date(2027, 3, 1), open_dates=[])
        assert due == [date(2027, 3, 2), date(2027, 3, 3), date(2027, 3, 4)]

    def test_nothing_is_owed_once_the_latest_day_is_done(self):
        assert local_dates_due(latest=date(2027, 3, 4), last_done=date(2027, 3, 4), open_dates=[]) == []

    def test_a_failed_earlier_day_comes_first_and_a_future_one_is_ignored(self):
        due = local_dates_due(
            latest=date(2027, 3, 4), last_done=date(2027, 3, 3), open_dates=[date(2027, 2, 27), date(2027, 3, 9)]
        )
        assert due == [date(2027, 2, 27), date(2027, 3, 4)]

    def test_a_first_run_that_failed_is_retried_with_the_days_since(self):
        due = local_dates_due(latest=date(2027, 3, 3), last_done=None, open_dates=[date(2027, 3, 1)])
        assert due == [date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)]

    def test_catch_up_across_a_leap_february_includes_the_29th(self):
        due = local_dates_due(latest=date(2028, 3, 1), last_done=date(2028, 2, 27), open_dates=[])
        assert due == [date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1)]

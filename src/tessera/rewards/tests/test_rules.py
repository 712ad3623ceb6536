"""Pure gift-ladder maths: months in the programme's zone, claim windows, steps reached and next."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tessera.rewards.rules import (
    DAYS_AFTER_UNLOCK,
    END_OF_NEXT_MONTH,
    ClaimWindow,
    Step,
    is_active,
    month_add,
    month_of,
    step_next,
    steps_above,
    steps_reached,
)

SEED = [Step(1, 1000), Step(2, 2000), Step(3, 3000)]


class TestMonthOf:
    @pytest.mark.parametrize(
        ("utc", "zone", "month"),
        [
            # 23:59 on 31 March in Shanghai is 15:59 UTC: still March.
            (datetime(2026, 3, 31, 15, 59, tzinfo=UTC), "Asia/Shanghai", date(2026, 3, 1)),
            # 00:00 on 1 April in Shanghai is 16:00 UTC on 31 March: already April.
            (datetime(2026, 3, 31, 16, 0, tzinfo=UTC), "Asia/Shanghai", date(2026, 4, 1)),
            # Seoul is UTC+9: midnight starting 2027 is 15:00 UTC on 31 December 2026.
            (datetime(2026, 12, 31, 14, 59, tzinfo=UTC), "Asia/Seoul", date(2026, 12, 1)),
            (datetime(2026, 12, 31, 15, 0, tzinfo=UTC), "Asia/Seoul", date(2027, 1, 1)),
        ],
    )
    def test_the_month_is_the_programmes_local_month(self, utc, zone, month):
        assert month_of(utc, zone) == month


@pytest.mark.parametrize(
    ("month", "months", "expected"),
    [(date(2026, 1, 1), 1, date(2026, 2, 1)), (date(2026, 11, 1), 2, date(2027, 1, 1)),
     (date(2026, 12, 1), 1, date(2027, 1, 1)), (date(2026, 3, 1), 24, date(2028, 3, 1))],
)  # fmt: skip
def test_month_add_crosses_years(month, months, expected):
    assert month_add(month, months) == expected


class TestClaimWindow:
    def test_end_of_next_month_closes_as_the_month_after_next_begins(self):
        window = ClaimWindow(END_OF_NEXT_MONTH)
        unlocked = datetime(2026, 3, 31, 15, 59, tzinfo=UTC)  # 23:59 on 31 March in Shanghai
        closes = window.closes_at(month=date(2026, 3, 1), unlocked_at=unlocked, timezone="Asia/Shanghai")
        assert closes == datetime(2026, 4, 30, 16, 0, tzinfo=UTC)  # 00:00 on 1 May in Shanghai

    def test_days_count_whole_local_days_after_the_unlock_day(self):
        # Unlocked at 14:00 on 15 March in Seoul; 7 days: claimable to the end of 22 March, Seoul time.
        window = ClaimWindow(DAYS_AFTER_UNLOCK, days=7)
        unlocked = datetime(2026, 3, 15, 5, 0, tzinfo=UTC)
        closes = window.closes_at(month=date(2026, 3, 1), unlocked_at=unlocked, timezone="Asia/Seoul")
        assert closes == datetime(2026, 3, 22, 15, 0, tzinfo=UTC)

    def test_zero_days_means_the_same_local_day(self):
        unlocked = datetime(2026, 3, 15, 16, 30, tzinfo=UTC)  # 00:30 on 16 March in Shanghai
        closes = ClaimWindow(DAYS_AFTER_UNLOCK, days=0).closes_at(
            month=date(2026, 3, 1), unlocked_at=unlocked, timezone="Asia/Shanghai"
        )
        assert closes == datetime(2026, 3, 16, 16, 0, tzinfo=UTC)

    @pytest.mark.parametrize(("policy", "days"), [(DAYS_AFTER_UNLOCK, None), (DAYS_AFTER_UNLOCK, -1), ("soon", 3)])
    def test_a_window_without_an_end_is_refused(self, policy, days):
        with pytest.raises(ValueError, match="claim"):
            ClaimWindow(policy, days=days)


class TestSteps:
    @pytest.mark.parametrize(
        ("points", "reached", "next_threshold"),
        [(0, [], 1000), (999, [], 1000), (1000, [1000], 2000), (2999, [1000, 2000], 3000),
         (3000, [1000, 2000, 3000], None), (12000, [1000, 2000, 3000], None)],
    )  # fmt: skip
    def test_reached_and_next(self, points, reached, next_threshold):
        assert [s.threshold_points for s in steps_reached(SEED, points)] == reached
        following = step_next(SEED, points)
        assert (following.threshold_points if following else None) == next_threshold

    def test_a_return_to_1500_is_below_the_2000_and_3000_steps(self):
        assert [s.threshold_points for s in steps_above(SEED, 1500)] == [2000, 3000]


def test_active_dates_include_the_first_day_and_exclude_the_last():
    assert is_active(date(2026, 3, 1), active_from=date(2026, 3, 1), active_to=date(2026, 4, 1))
    assert not is_active(date(2026, 4, 1), active_from=date(2026, 3, 1), active_to=date(2026, 4, 1))
    assert not is_active(date(2026, 2, 28), active_from=date(2026, 3, 1), active_to=None)
    assert is_active(date(2036, 2, 28), active_from=date(2026, 3, 1), active_to=None)

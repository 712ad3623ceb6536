"""The pure maths of purchase cycles: gaps between local purchase days, the median interval, regularity, the next
expected day, due / overdue / lapsed, and the Wheat & Morrison regularity estimate (analytics.md §6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tessera.analytics.regularity import (
    DueState,
    Regularity,
    cycle_of,
    day_gaps,
    due_state,
    local_days,
    regularity_of,
    typical_interval,
    variation,
    wheat_morrison_k,
    wheat_morrison_ratio,
)

SHANGHAI, SEOUL, NEW_YORK = ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Seoul"), ZoneInfo("America/New_York")
D = date(2026, 12, 1)


def days(*offsets: int) -> list[date]:
    return [D + timedelta(days=n) for n in offsets]


def test_gaps_are_between_distinct_days_in_order():
    assert day_gaps(days(20, 0, 10, 10)) == [10, 10]
    assert day_gaps(days(3)) == []


def test_the_typical_interval_is_the_median_so_one_long_break_does_not_move_it():
    gaps = day_gaps(days(0, 7, 14, 44, 51))  # 7, 7, 30, 7: the mean would be 12.75
    assert typical_interval(gaps) == 7
    assert typical_interval([10, 11]) == 10.5
    assert typical_interval([]) is None


@pytest.mark.parametrize(
    ("gaps", "label"),
    [
        ([10, 10], Regularity.REGULAR),  # CV 0
        ([7, 10], Regularity.REGULAR),  # CV 0.25
        ([3, 15], Regularity.IRREGULAR),  # CV 0.94, beyond Erlang-2's 0.71
        ([2, 30, 5], Regularity.IRREGULAR),
        ([10], Regularity.TOO_FEW),  # two purchase days
        ([], Regularity.TOO_FEW),
    ],
)
def test_regularity_labels(gaps, label):
    assert regularity_of(gaps) == label


def test_variation_is_the_sample_coefficient_of_variation():
    assert variation([3, 15]) == pytest.approx(np.std([3, 15], ddof=1) / 9)
    assert variation([4]) is None


def test_the_next_day_is_the_last_plus_the_median_rounded_half_up():
    cycle = cycle_of(days(0, 10, 21))  # gaps 10 and 11: median 10.5, next 11 days after the last
    assert cycle is not None
    assert (cycle.days, cycle.first_on, cycle.last_on, cycle.interval_days) == (3, D, D + timedelta(21), 10.5)
    assert cycle.next_on == D + timedelta(days=32)
    assert cycle.days_until(D + timedelta(days=30)) == 2
    assert cycle.days_since_last(D + timedelta(days=30)) == 9
    assert cycle_of(days(5, 5)) is None  # one trip is no rhythm


def test_purchases_either_side_of_local_midnight_are_two_days_even_when_utc_sees_one():
    late = datetime(2026, 12, 1, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC
    early = datetime(2026, 12, 2, 0, 30, tzinfo=SHANGHAI)  # 16:30 UTC, the same UTC day
    assert local_days([early, late], SHANGHAI) == [date(2026, 12, 1), date(2026, 12, 2)]
    assert local_days([early, late], ZoneInfo("UTC")) == [date(2026, 12, 1)]
    cycle = cycle_of(local_days([late, early, early + timedelta(days=1)], SHANGHAI))
    assert cycle is not None
    assert cycle.next_on == date(2026, 12, 4)


def test_the_same_moments_fall_on_the_days_of_the_store_that_counts_them():
    moments = [datetime(2026, 12, day, 2, 0, tzinfo=UTC) for day in (1, 8, 15)]  # 10:00 Shanghai, 21:00 New York
    assert local_days(moments, SHANGHAI)[-1] == date(2026, 12, 15)
    assert local_days(moments, NEW_YORK)[-1] == date(2026, 12, 14)
    assert local_days(moments, SEOUL) == local_days(moments, SHANGHAI)


def test_due_overdue_and_lapsed_around_the_expected_day():
    cycle = cycle_of(days(-20, -10, 0))  # every 10 days, next on D + 10
    assert cycle is not None
    on = {n: due_state(cycle, D + timedelta(days=n), within_days=7) for n in (0, 3, 10, 11, 20, 21)}
    assert on == {0: DueState.AHEAD, 3: DueState.DUE, 10: DueState.DUE, 11: DueState.OVERDUE,
                  20: DueState.OVERDUE, 21: DueState.LAPSED}  # fmt: skip


def test_a_short_cycle_still_gets_a_week_before_it_counts_as_lapsed():
    cycle = cycle_of(days(-4, -2, 0))  # every 2 days
    assert cycle is not None
    assert due_state(cycle, D + timedelta(days=9), within_days=3) == DueState.OVERDUE  # 7 days over
    assert due_state(cycle, D + timedelta(days=10), within_days=3) == DueState.LAPSED


def test_wheat_morrison_ratio_uses_the_most_recent_pair_of_gaps():
    assert wheat_morrison_ratio(days(0, 50, 60, 90)) == pytest.approx(10 / 40)
    assert wheat_morrison_ratio(days(0, 50)) is None


def test_wheat_morrison_k_by_hand():
    # Var(0.5, 0.25, 0.75) = 0.0625 (n - 1), k = (1 - 0.25) / 0.5
    assert wheat_morrison_k([0.5, 0.25, 0.75]) == pytest.approx(1.5)
    assert wheat_morrison_k([0.5]) is None
    assert wheat_morrison_k([0.5, 0.5]) is None


@pytest.mark.parametrize("shape", [1, 2, 4])
def test_wheat_morrison_k_recovers_the_erlang_shape_of_the_gaps(shape):
    """If gaps are Gamma(k), M = ITT1 / (ITT1 + ITT2) is Beta(k, k): 20,000 members pin k within 5 %."""
    rng = np.random.default_rng(0)
    gaps = rng.gamma(shape, 30 / shape, size=(20_000, 2))
    estimate = wheat_morrison_k(list(gaps[:, 0] / gaps.sum(axis=1)))
    assert estimate == pytest.approx(shape, rel=0.05)

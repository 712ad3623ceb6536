"""Purchase summaries from purchase lines: one purchase per day, repeat purchases only, integer spend."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tessera.analytics.history import purchase_summary
from tessera.analytics.inputs import InvalidHistory, checked_histories


def test_summarises_a_worked_example():
    # Member 7 buys twice on day 10 (one purchase of 15.00), then on days 17 and 31, and on day 40, after the
    # end; member 3 buys once, on day 20. Weeks of 7 days, the period ends on day 35.
    summary = purchase_summary(
        member_ids=[7, 7, 3, 7, 7, 7],
        days=[10, 10, 20, 17, 31, 40],
        amounts_minor=[1000, 500, 999, 2000, 700, 5000],
        end_day=35,
    )

    np.testing.assert_array_equal(summary.member_ids, [3, 7])
    np.testing.assert_array_equal(summary.frequency, [0, 2])
    np.testing.assert_allclose(summary.recency, [0, 21 / 7])
    np.testing.assert_allclose(summary.age, [15 / 7, 25 / 7])
    np.testing.assert_array_equal(summary.repeat_spend_minor, [0, 2700])
    assert summary.repeat_spend_minor.dtype == np.int64
    np.testing.assert_array_equal(summary.mean_value, [0.0, 1350.0])


def test_a_purchase_on_the_last_day_counts_and_makes_recency_equal_age():
    summary = purchase_summary(member_ids=[1, 1], days=[0, 14], amounts_minor=[100, 300], end_day=14)

    assert summary.frequency[0] == 1
    assert summary.recency[0] == summary.age[0] == 2.0


@pytest.mark.parametrize(
    ("lines", "complaint"),
    [
        ({"member_ids": [1], "days": [1], "amounts_minor": [12.5]}, "amounts_minor must be integers"),
        ({"member_ids": [1], "days": [1.0], "amounts_minor": [12]}, "days must be integers"),
        ({"member_ids": [1, 1], "days": [1, 2], "amounts_minor": [100, -40]}, "net returns"),
        ({"member_ids": [1], "days": [99], "amounts_minor": [100]}, "no purchase on or before"),
        ({"member_ids": [1, 2], "days": [1], "amounts_minor": [100]}, "one value per purchase line"),
        ({"member_ids": [], "days": [], "amounts_minor": []}, "non-empty"),
    ],
)
def test_refuses_lines_it_cannot_summarise(lines, complaint):
    with pytest.raises(InvalidHistory, match=complaint):
        purchase_summary(**lines, end_day=50)


lines = st.lists(st.tuples(st.integers(1, 5), st.integers(0, 60), st.integers(0, 10_000)), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(lines=lines, end_day=st.integers(0, 60))
def test_every_summary_is_a_history_the_models_accept(lines, end_day):
    ids, days, amounts = (np.array(column) for column in zip(*lines, strict=True))
    if not (days <= end_day).any():
        return

    summary = purchase_summary(member_ids=ids, days=days, amounts_minor=amounts, end_day=end_day)

    checked_histories(summary.frequency, summary.recency, summary.age)  # raises if not
    kept = days <= end_day
    for member, frequency in zip(summary.member_ids, summary.frequency, strict=True):
        assert frequency == len(set(days[kept & (ids == member)])) - 1
    first_day_spend = sum(
        amounts[kept & (ids == m) & (days == days[kept & (ids == m)].min())].sum() for m in summary.member_ids
    )
    assert summary.repeat_spend_minor.sum() + first_day_spend == amounts[kept].sum()

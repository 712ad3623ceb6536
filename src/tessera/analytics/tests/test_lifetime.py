"""Lifetime value fitted on a programme's own purchases: the Online Retail customers whose id ends in 7, imported
as merchants import their history (see test_online_retail.py), against summaries recomputed from the CSV alone."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tessera.analytics.lifetime import (
    MIN_MEMBERS,
    NoFit,
    ProgramFit,
    member_value,
    program_fit,
    values,
)
from tessera.analytics.tests.test_online_retail import _slice_text as online_retail_slice
from tessera.analytics.tests.test_online_retail import invoices, load
from tessera.testing import world_build

pytestmark = pytest.mark.django_db

END = date(2011, 12, 9)


def expected_summary(text: str) -> dict[str, tuple[int, float, float, float]]:
    """Per customer with a sale: repeat purchase days, recency and age in weeks, mean value of the repeat days.

    A day's amount is its sales less its cancellations, never below zero; a day with cancellations only is no
    purchase (the rule in lifetime.py's docstring), worked out in plain Python."""
    days: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for customer, found in invoices(text).items():
        for number, when, pence in found:
            cell = days[customer][when.date()]
            cell[0] += -pence if number.startswith("C") else pence
            cell[1] += 0 if number.startswith("C") else 1
    result = {}
    for customer, by_day in days.items():
        bought = sorted((day, max(net, 0)) for day, (net, sales) in by_day.items() if sales and day <= END)
        if not bought:
            continue
        first, last = bought[0][0], bought[-1][0]
        repeats = len(bought) - 1
        mean = sum(amount for _, amount in bought[1:]) / repeats if repeats else 0.0
        result[customer] = (repeats, (last - first).days / 7, (END - first).days / 7, mean)
    return result


@pytest.fixture(scope="module")
def slice_text() -> str:
    return online_retail_slice()


def test_the_fit_reads_each_customers_purchase_days_as_the_csv_has_them(slice_text, tmp_path: Path) -> None:
    program, ids = load(slice_text, tmp_path)
    fit = program_fit(program=program, end=END)
    wanted = expected_summary(slice_text)
    by_member = {ids[customer]: row for customer, row in wanted.items()}
    assert fit.summary.member_ids.tolist() == sorted(by_member)
    rows = np.array([by_member[int(m)] for m in fit.summary.member_ids])
    np.testing.assert_array_equal(fit.summary.frequency, rows[:, 0])
    np.testing.assert_allclose(fit.summary.recency, rows[:, 1], rtol=1e-12)
    np.testing.assert_allclose(fit.summary.age, rows[:, 2], rtol=1e-12)
    np.testing.assert_allclose(fit.summary.mean_value, rows[:, 3], rtol=1e-12)
    assert fit.bgnbd.converged, fit.bgnbd.message
    assert fit.bgnbd.members == len(wanted)
    each_member_gets_a_value_that_follows_their_history(fit)


def each_member_gets_a_value_that_follows_their_history(fit: ProgramFit) -> None:
    """Part of the test above, which imports the slice once for both."""
    assert fit.gamma_gamma is not None, fit.gamma_gamma_refused
    year = values(fit, months=12, monthly_discount=0.01)
    assert all(0.0 <= v.probability_alive <= 1.0 for v in year)
    assert all(v.lifetime_value_minor is not None and v.lifetime_value_minor >= 0 for v in year)
    # Discounting lowers every value; a longer horizon raises it.
    undiscounted = {v.member_id: v.lifetime_value_minor for v in values(fit, months=12, monthly_discount=0.0)}
    longer = {v.member_id: v.lifetime_value_minor for v in values(fit, months=24, monthly_discount=0.01)}
    for v in year:
        assert v.lifetime_value_minor <= undiscounted[v.member_id] <= longer[v.member_id] + 1
    # Of two members with the same purchase count and age, the one who bought more recently is likelier alive.
    s = fit.summary
    pairs = [
        (i, j) for i in range(s.member_ids.size) for j in range(i + 1, min(i + 40, s.member_ids.size))
        if s.frequency[i] == s.frequency[j] >= 1 and s.age[i] == s.age[j] and s.recency[i] > s.recency[j]
    ]  # fmt: skip
    by_id = {v.member_id: v for v in year}
    for i, j in pairs:
        assert by_id[int(s.member_ids[i])].probability_alive > by_id[int(s.member_ids[j])].probability_alive
    one = member_value(fit, member_id=year[0].member_id)
    assert one == year[0]
    assert member_value(fit, member_id=-1) is None


def test_a_programme_with_too_little_history_gets_no_fit_and_a_reason() -> None:
    world = world_build(stores=1)
    with pytest.raises(NoFit, match="no purchase"):
        program_fit(program=world.program, end=END)
    assert MIN_MEMBERS >= 50

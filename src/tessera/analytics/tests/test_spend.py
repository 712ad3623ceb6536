"""The Gamma-Gamma spend model (``analytics.spend``): the published CDNOW results, the objective's gradient, an
invariant of the expected spend, and refusals.

Published figures (docs/analytics.md): Fader & Hardie (2013) on the 946 repeat buyers of the CDNOW sample.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from tessera.analytics import spend as spend_model
from tessera.analytics.inputs import InvalidHistory, InvalidParameters, SpendDependsOnFrequency
from tessera.analytics.spend import GammaGammaParams
from tessera.analytics.tests import cdnow
from tessera.analytics.tests.test_clv import gamma_gamma_params, significant


def test_gamma_gamma_fit_reproduces_the_published_parameters_on_the_946_repeat_buyers():
    summary = cdnow.published_summary()

    fit = spend_model.gamma_gamma_fit(frequency=summary.frequency, mean_value=summary.mean_value)

    assert fit.converged, fit.message
    assert fit.repeat_buyers == 946
    got = [significant(v) for v in (fit.params.p, fit.params.q, fit.params.gamma)]
    assert got == [significant(v) for v in (6.25, 3.74, 15.44)]
    # The published -4055.9177 is reached on unrounded mean values (see the built summary below); the
    # summary's two-decimal zbar moves the optimum by less than 0.01.
    assert abs(fit.log_likelihood - -4055.9177) < 0.01
    assert 0.11 < fit.correlation < 0.12


def test_expected_spend_of_the_first_ten_customers_matches_hardies_spreadsheet():
    summary = cdnow.published_summary()
    fit = spend_model.gamma_gamma_fit(frequency=summary.frequency, mean_value=summary.mean_value)

    spend = spend_model.gamma_gamma_expected_spend(
        params=fit.params, frequency=summary.frequency[:10], mean_value=summary.mean_value[:10]
    )

    published = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]
    np.testing.assert_allclose(spend, published, atol=0.1)


def test_gamma_gamma_fit_on_the_built_summary_reaches_the_published_log_likelihood():
    built = cdnow.built_summary()

    in_dollars = spend_model.gamma_gamma_fit(frequency=built.frequency, mean_value=built.mean_value / 100)
    in_cents = spend_model.gamma_gamma_fit(frequency=built.frequency, mean_value=built.mean_value)

    assert round(in_dollars.log_likelihood, 4) == -4055.9177
    assert [significant(v) for v in (in_dollars.params.p, in_dollars.params.q)] == [6.25, 3.74]
    assert significant(in_dollars.params.gamma, 4) == 15.44
    # Minor units: gamma is a scale and comes out a hundred times larger; p and q do not move.
    np.testing.assert_allclose(in_cents.params.gamma, 100 * in_dollars.params.gamma, rtol=1e-5)
    np.testing.assert_allclose(
        [in_cents.params.p, in_cents.params.q], [in_dollars.params.p, in_dollars.params.q], rtol=1e-5
    )


@settings(max_examples=25, deadline=None)
@given(p=st.floats(0.2, 20), q=st.floats(0.2, 20), gamma=st.floats(0.05, 50))
def test_gamma_gamma_fit_objective_gradient_is_exact(p, q, gamma):
    summary = cdnow.published_summary()
    repeat = summary.frequency > 0
    x, m = summary.frequency[repeat], summary.mean_value[repeat] / 35
    log_params = np.log([p, q, gamma])

    _, gradient = spend_model._gamma_gamma_objective(log_params, x, m)

    numeric = optimize.approx_fprime(log_params, lambda v: spend_model._gamma_gamma_objective(v, x, m)[0], 1e-7)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-4, atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(params=gamma_gamma_params, x=st.integers(1, 300), mean=st.floats(0.01, 1e5))
def test_expected_spend_lies_between_the_population_mean_and_the_members_own(params, x, mean):
    population = params.p * params.gamma / (params.q - 1)

    spend = float(spend_model.gamma_gamma_expected_spend(params=params, frequency=[x], mean_value=[mean])[0])

    assert min(population, mean) * (1 - 1e-12) <= spend <= max(population, mean) * (1 + 1e-12)


@pytest.mark.parametrize(
    ("frequency", "mean_value", "complaint"),
    [
        ([1, 2], [0.0, 10.0], "mean value must be positive"),
        ([0, 2, 3], [5.0, 10.0, 12.0], "pass 0"),
        ([0, 2], [0.0, 10.0], "at least two repeat buyers"),
        ([1, 2], [10.0], "one value per member"),
    ],
)
def test_refuses_spend_that_gamma_gamma_cannot_fit(frequency, mean_value, complaint):
    with pytest.raises(InvalidHistory, match=complaint):
        spend_model.gamma_gamma_fit(frequency=frequency, mean_value=mean_value)


def test_refuses_gamma_gamma_when_spend_rises_with_frequency_and_reports_the_correlation():
    frequency = np.arange(1, 41, dtype=float)
    mean_value = 10 * frequency + np.tile([-3.0, 3.0], 20)

    with pytest.raises(SpendDependsOnFrequency) as refused:
        spend_model.gamma_gamma_fit(frequency=frequency, mean_value=mean_value)

    assert refused.value.correlation > 0.99
    assert refused.value.limit == 0.3
    fit = spend_model.gamma_gamma_fit(frequency=frequency, mean_value=mean_value, correlation_max=1.0)
    assert fit.correlation == refused.value.correlation


def test_refuses_expected_spend_for_first_time_buyers_when_the_population_mean_is_infinite():
    with pytest.raises(InvalidParameters, match="must exceed 1"):
        spend_model.gamma_gamma_expected_spend(
            params=GammaGammaParams(p=2, q=0.9, gamma=5), frequency=[0], mean_value=[0]
        )

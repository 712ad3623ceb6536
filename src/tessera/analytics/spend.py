"""The Gamma-Gamma model of how much each purchase will be: Fader & Hardie (2013), "The Gamma-Gamma Model of
Monetary Value", brucehardie.com note 025 (docs/analytics.md gives the formulas and the CDNOW figures).

``mean_value`` is the mean value of a member's repeat purchases, a float of minor units (0 without one); see
``clv.py`` on why money is float here and only here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from tessera.analytics.inputs import (
    LOG_BOUNDS,
    FloatArray,
    InvalidHistory,
    InvalidParameters,
    SpendDependsOnFrequency,
    checked_spend,
    positive,
)


@dataclass(frozen=True)
class GammaGammaParams:
    """Purchase values ~ Gamma(shape p, rate ν) per member, ν ~ Gamma(shape q, rate gamma) across members."""

    p: float
    q: float
    gamma: float

    def __post_init__(self) -> None:
        positive(p=self.p, q=self.q, gamma=self.gamma)


@dataclass(frozen=True)
class GammaGammaFit:
    params: GammaGammaParams
    log_likelihood: float  # summed over repeat buyers (-4055.9 on CDNOW)
    converged: bool
    message: str
    iterations: int
    repeat_buyers: int
    correlation: float  # Pearson correlation of frequency and mean value over the repeat buyers


def _gamma_gamma_terms(p: float, q: float, gamma: float, x: FloatArray, m: FloatArray) -> FloatArray:
    px = p * x
    result: FloatArray = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )
    return result


def _gamma_gamma_objective(log_params: FloatArray, x: FloatArray, m: FloatArray) -> tuple[float, FloatArray]:
    """Mean negative log-likelihood and its gradient with respect to the log-parameters."""
    p, q, gamma = (float(value) for value in np.exp(log_params))
    px = p * x
    log_total = np.log(gamma + m * x)
    digamma_all = special.digamma(px + q)
    d_p = np.sum(x * (digamma_all - special.digamma(px) + np.log(m) + np.log(x) - log_total))
    d_q = np.sum(digamma_all - special.digamma(q) + np.log(gamma) - log_total)
    d_gamma = np.sum(q / gamma - (px + q) / (gamma + m * x))
    total = _gamma_gamma_terms(p, q, gamma, x, m).sum()
    return -float(total) / x.size, -np.array([d_p * p, d_q * q, d_gamma * gamma]) / x.size


def gamma_gamma_log_likelihood(*, params: GammaGammaParams, frequency: ArrayLike, mean_value: ArrayLike) -> FloatArray:
    """ln f(m̄ | p, q, gamma, x) per repeat buyer (Fader & Hardie 2013, eq. 5), in the order they appear;
    members without repeat purchases carry no information about spend and are left out."""
    x, m = checked_spend(frequency, mean_value)
    repeat = x > 0
    return _gamma_gamma_terms(params.p, params.q, params.gamma, x[repeat], m[repeat])


def frequency_value_correlation(*, frequency: ArrayLike, mean_value: ArrayLike) -> float:
    """Pearson correlation of frequency and mean value over the repeat buyers; 0.0 when either does not vary
    (no association can be seen), or when there are fewer than two repeat buyers."""
    x, m = checked_spend(frequency, mean_value)
    repeat = x > 0
    x, m = x[repeat] - x[repeat].mean(), m[repeat] - m[repeat].mean()
    spread = math.sqrt(float(x @ x) * float(m @ m))
    return float(x @ m) / spread if spread > 0 else 0.0


def gamma_gamma_fit(*, frequency: ArrayLike, mean_value: ArrayLike, correlation_max: float = 0.3) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters on the repeat buyers (x > 0) among these members.

    Refuses when |corr(frequency, mean value)| exceeds ``correlation_max``: the model's independence assumption
    would not hold. The correlation is reported on the result either way.

    :raises InvalidHistory: impossible input, or fewer than two repeat buyers.
    :raises SpendDependsOnFrequency: the correlation is above the limit.
    """
    x, m = checked_spend(frequency, mean_value)
    repeat = x > 0
    x, m = x[repeat], m[repeat]
    if x.size < 2:
        raise InvalidHistory("Gamma-Gamma needs at least two repeat buyers")
    correlation = frequency_value_correlation(frequency=x, mean_value=m)
    if abs(correlation) > correlation_max:
        raise SpendDependsOnFrequency(correlation=correlation, limit=correlation_max)

    # Fitted on values divided by their mean, so that the search starts near the optimum whatever the currency
    # unit (yuan or fen, won): gamma is a scale and comes back multiplied by it; p and q are unchanged.
    scale = float(m.mean())
    result = optimize.minimize(
        _gamma_gamma_objective, np.zeros(3), args=(x, m / scale), jac=True, method="L-BFGS-B",
        bounds=[LOG_BOUNDS] * 3, options={"ftol": 1e-14, "gtol": 1e-9, "maxiter": 500},
    )  # fmt: skip
    p_fit, q_fit, gamma_fit = (float(value) for value in np.exp(result.x))
    params = GammaGammaParams(p_fit, q_fit, gamma_fit * scale)
    log_likelihood = float(_gamma_gamma_terms(params.p, params.q, params.gamma, x, m).sum())
    return GammaGammaFit(
        params, log_likelihood, bool(result.success), str(result.message), int(result.nit), x.size, correlation
    )


def gamma_gamma_expected_spend(*, params: GammaGammaParams, frequency: ArrayLike, mean_value: ArrayLike) -> FloatArray:
    """E[M | x, m̄] = p·(gamma + m̄·x) / (p·x + q - 1): a weighted mean of the population mean p·gamma/(q - 1)
    and the member's own mean, leaning on the member's the more purchases they made (Fader & Hardie 2013, eq. 7).

    :raises InvalidParameters: p·x + q ≤ 1 for some member (for x = 0, q ≤ 1): the mean is then infinite.
    """
    x, m = checked_spend(frequency, mean_value)
    denominator = params.p * x + params.q - 1
    if (denominator <= 0).any():
        raise InvalidParameters("p·x + q must exceed 1 for every member: the expected spend is otherwise infinite")
    spend: FloatArray = params.p * (params.gamma + m * x) / denominator
    return spend

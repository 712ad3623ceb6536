"""Lifetime-value models: BG/NBD for how many purchases a member will make, Gamma-Gamma for how much each will be.

Implemented from the published formulas (docs/analytics.md gives them with their sources and the CDNOW figures
they reproduce):

- **BG/NBD**, Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2); the
  probability alive from Fader, Hardie & Lee (2008), brucehardie.com note 021.
- **Gamma-Gamma**, Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", brucehardie.com note 025:
  in ``spend.py``; this module combines the two into ``lifetime_value``.

A member's history is three arrays in one time unit (weeks in the papers): ``frequency`` (x, repeat purchases,
the first purchase not counted, purchases on one day counted once), ``recency`` (t_x, from the first purchase to
the last) and ``age`` (T, from the first purchase to the end of the calibration period). Spend is
``mean_value``, the mean value of the repeat purchases (0 for members without one).

**Money is float here and only here.** Amounts enter Tessera's analytics as integer minor units from the ledger
and checkout; ``tessera.analytics.history`` turns them into float minor units, and every amount in this module
(mean value, expected spend, lifetime value) is a float of minor units of one currency. These are estimates for
people to read, never amounts to post: nothing computed here goes back to the ledger, and an interface rounds
them when it shows them.

Everything is vectorised over members, takes keyword arguments, and refuses impossible input with
``InvalidHistory`` (``tessera.analytics.inputs``) rather than returning nan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from tessera.analytics.inputs import LOG_BOUNDS, FloatArray, InvalidHistory, checked_histories, checked_vector, positive
from tessera.analytics.spend import GammaGammaParams, gamma_gamma_expected_spend


@dataclass(frozen=True)
class BgNbdParams:
    """Purchase rate λ ~ Gamma(shape r, rate alpha); drop-out probability after a purchase p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self) -> None:
        positive(r=self.r, alpha=self.alpha, a=self.a, b=self.b)


@dataclass(frozen=True)
class BgNbdFit:
    params: BgNbdParams
    log_likelihood: float  # summed over members, as the paper reports it (-9582.4 on CDNOW)
    converged: bool
    message: str
    iterations: int
    members: int


# ---------------------------------------------------------------- BG/NBD


def bgnbd_log_likelihood(
    *, params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """ln L per member (FHL 2005, eq. 6), the sum of its two branches taken with logaddexp: still active at the
    end of the period, or dropped out right after the last purchase (possible only after a repeat purchase)."""
    x, t_x, big_t = checked_histories(frequency, recency, age)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    active = special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + big_t)
    repeat = x > 0
    x_or_1 = np.where(repeat, x, 1.0)  # keeps b + x - 1 positive where the branch does not apply
    dropped = special.betaln(a + 1, b + x_or_1 - 1) - special.betaln(a, b) - (r + x) * np.log(alpha + t_x)
    result: FloatArray = common + np.logaddexp(active, np.where(repeat, dropped, -np.inf))
    return result


@dataclass(frozen=True)
class _BgNbdData:
    """The histories arranged for the fit: terms that depend only on x are computed once per distinct x."""

    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    distinct_x: FloatArray
    x_index: NDArray[np.intp]  # each member's position in distinct_x
    x_counts: FloatArray  # members per distinct x


def _bgnbd_objective(log_params: FloatArray, data: _BgNbdData) -> tuple[float, FloatArray]:
    """Mean negative log-likelihood and its gradient with respect to the log-parameters.

    The same likelihood as ``bgnbd_log_likelihood``, regrouped for speed: the gamma and beta functions depend
    only on x, so they are evaluated once per distinct x; per member only two logarithms remain. That and the
    analytic gradient are what make a 100,000-member fit take a tenth of a second rather than seconds.
    """
    r, alpha, a, b = np.exp(log_params)
    x, k = data.distinct_x, data.x_index
    active_x = special.betaln(a, b + x) - special.betaln(a, b)
    dropped_x = np.where(x > 0, special.betaln(a + 1, b + np.maximum(x, 1.0) - 1) - special.betaln(a, b), -np.inf)
    log_big_t, log_t_x = np.log(alpha + data.age), np.log(alpha + data.recency)
    active = active_x[k] - (r + data.frequency) * log_big_t
    dropped = dropped_x[k] - (r + data.frequency) * log_t_x
    log_l = np.logaddexp(active, dropped)
    share_dropped = np.exp(dropped - log_l)  # each member's weight on the "dropped out" branch
    members = data.frequency.size
    total = data.x_counts @ (special.gammaln(r + x) - special.gammaln(r)) + members * r * np.log(alpha) + log_l.sum()
    gradient = _bgnbd_gradient((r, alpha, a, b), data, share_dropped, log_big_t, log_t_x)
    return -float(total) / members, -gradient * np.exp(log_params) / members


def _bgnbd_gradient(
    params: tuple[float, float, float, float],
    data: _BgNbdData,
    share_dropped: FloatArray,
    log_big_t: FloatArray,
    log_t_x: FloatArray,
) -> FloatArray:
    """∂ΣlnL/∂(r, alpha, a, b). With w a member's share of the dropped-out branch, d/dθ ln(A + D) is
    (1 - w)·d ln A + w·d ln D; the digamma differences ψ(a+1) - ψ(a) = 1/a and ψ(b+x) - ψ(b+x-1) = 1/(b+x-1)
    shorten the a and b terms."""
    r, alpha, a, b = params
    x, counts, w = data.distinct_x, data.x_counts, share_dropped
    members = data.frequency.size
    w_by_x = np.bincount(data.x_index, weights=w, minlength=x.size)
    psi_ab = special.digamma(a + b) - special.digamma(a + b + x)
    d_r = counts @ (special.digamma(r + x) - special.digamma(r)) + members * np.log(alpha)
    d_r -= np.sum((1 - w) * log_big_t + w * log_t_x)
    d_alpha = members * r / alpha
    d_alpha -= np.sum((r + data.frequency) * ((1 - w) / (alpha + data.age) + w / (alpha + data.recency)))
    d_a = counts @ psi_ab + np.sum(w_by_x) / a
    d_b = counts @ (psi_ab + special.digamma(b + x) - special.digamma(b)) - w_by_x @ (1 / (b + np.maximum(x, 1.0) - 1))
    return np.array([d_r, d_alpha, d_a, d_b])


def _bgnbd_data(x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> _BgNbdData:
    distinct_x, x_index, x_counts = np.unique(x, return_inverse=True, return_counts=True)
    return _BgNbdData(x, t_x, big_t, distinct_x, x_index, x_counts.astype(np.float64))


def bgnbd_fit(*, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike) -> BgNbdFit:
    """Maximum-likelihood BG/NBD parameters for these members.

    L-BFGS-B over the log-parameters (so every parameter stays positive) from r = alpha = a = b = 1, with the
    analytic gradient. ``converged`` and ``message`` are the optimiser's; ``log_likelihood`` is recomputed at the
    result with ``bgnbd_log_likelihood``, the textbook form, so a fast objective that drifted from it would show.

    :raises InvalidHistory: the histories are impossible, or no member made a repeat purchase (the drop-out
        parameters are then not identified).
    """
    x, t_x, big_t = checked_histories(frequency, recency, age)
    if not (x > 0).any():
        raise InvalidHistory("no member made a repeat purchase: BG/NBD cannot be fitted to first purchases alone")
    result = optimize.minimize(
        _bgnbd_objective,
        np.zeros(4),
        args=(_bgnbd_data(x, t_x, big_t),),
        jac=True,
        method="L-BFGS-B",
        bounds=[LOG_BOUNDS] * 4,
        options={"ftol": 1e-14, "gtol": 1e-9, "maxiter": 500},
    )
    params = BgNbdParams(*(float(value) for value in np.exp(result.x)))
    log_likelihood = float(bgnbd_log_likelihood(params=params, frequency=x, recency=t_x, age=big_t).sum())
    return BgNbdFit(params, log_likelihood, bool(result.success), str(result.message), int(result.nit), x.size)


def _hyp2f1(a: float, b: float, c: FloatArray, z: FloatArray) -> FloatArray:
    """``scipy.special.hyp2f1`` for 0 <= z < 1, where the series converges and the value is finite.

    SciPy 1.17 returns inf for some z above 0.9 when c - a - b is exactly an integer (hyp2f1(1, 1, 101, 0.905);
    the series gives 1.0091237), which here happens when r - a is a whole number. The function is smooth in its
    parameters, so such entries are evaluated again with ``a`` moved by one part in 10^9.
    """
    c, z = np.broadcast_arrays(c, z)
    value = np.asarray(special.hyp2f1(a, b, c, z), dtype=np.float64)
    failed = ~np.isfinite(value)
    if failed.any():
        value[failed] = special.hyp2f1(a + 1e-9 * max(1.0, abs(a)), b, c[failed], z[failed])
    if not np.isfinite(value).all():
        raise FloatingPointError(f"hyp2f1({a}, {b}, c, z) is not finite for some members")
    return value


def _probability_alive(params: BgNbdParams, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    # Odds of having dropped out after the last purchase, in logs so that heavy buyers do not overflow.
    log_odds = np.log(a) - np.log(b + np.maximum(x, 1.0) - 1) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    alive: FloatArray = np.where(x > 0, special.expit(-log_odds), 1.0)
    return alive


def bgnbd_probability_alive(
    *, params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """P(still active at the end of the period | history) (FHL 2008, note 021). Exactly 1 for a member without
    repeat purchases: in BG/NBD a member can drop out only right after a purchase."""
    return _probability_alive(params, *checked_histories(frequency, recency, age))


def _away_from_poles(params: BgNbdParams) -> tuple[float, float]:
    """(a, b), moved by about 1e-6 where the expectation is 0/0: it divides by a - 1, and for x = 0 the
    hypergeometric function has c = a + b - 1, a pole at 0 that the factor (a + b - 1) cancels. Both have finite
    limits, which a step of 1e-6 approximates to about six significant figures."""
    a = params.a if abs(params.a - 1) >= 1e-6 else 1 + 1e-6
    b = params.b if abs(a + params.b - 1) >= 1e-6 else params.b + 2e-6
    return a, b


def bgnbd_expected_purchases(
    *, params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike, t: float
) -> FloatArray:
    """E[X(t) | history]: expected purchases in the ``t`` time units after the period (FHL 2005, eq. 10).

    The paper's bracket, 1 - ((alpha+T)/(alpha+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; z) with z = t/(alpha+T+t),
    is computed after Euler's transformation 2F1(A, B; C; z) = (1-z)^(C-A-B) · 2F1(C-A, C-B; C; z), which makes
    it 1 - (1-z)^(a-1) · 2F1(a+b-1-r, a-1; a+b+x-1; z): the same number, but the paper's form overflows to nan
    for members with hundreds of purchases over long horizons, and this one does not.
    """
    if not (math.isfinite(t) and t >= 0):
        raise InvalidHistory(f"the horizon t must be zero or more, not {t!r}")
    x, t_x, big_t = checked_histories(frequency, recency, age)
    r, alpha = params.r, params.alpha
    a, b = _away_from_poles(params)
    z = t / (alpha + big_t + t)
    unseen = (1 - z) ** (a - 1) * _hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    active: FloatArray = (a + b + x - 1) / (a - 1) * (1 - unseen)
    return active * _probability_alive(params, x, t_x, big_t)


def bgnbd_expected_purchases_new(*, params: BgNbdParams, t: ArrayLike) -> FloatArray:
    """E[X(t)]: expected purchases by a member in the ``t`` time units after their first purchase (FHL 2005,
    eq. 9), the conditional expectation for a history of x = t_x = T = 0, for each horizon in ``t``."""
    horizons = checked_vector("t", t)
    zeros = np.zeros(1)
    return np.array(
        [bgnbd_expected_purchases(params=params, frequency=zeros, recency=zeros, age=zeros, t=h)[0] for h in horizons]
    )


# ---------------------------------------------------------------- lifetime value


def lifetime_value(
    *,
    bgnbd: BgNbdParams,
    gamma_gamma: GammaGammaParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    mean_value: ArrayLike,
    steps: int,
    step_length: float,
    discount_rate: float,
    spend_frequency: ArrayLike | None = None,
) -> FloatArray:
    """Discounted expected spend of each member over ``steps`` future steps of ``step_length`` time units.

    ``spend_frequency`` (default ``frequency``) is the purchase count the spend model weighs each member's mean
    value by: 0 for a member whose repeat purchases were all returned, so the population mean stands in.

    CLV = Σ_{k=1..steps} (E[X(k·Δ)] - E[X((k-1)·Δ)]) · E[M] / (1 + d)^k, where Δ is ``step_length``, the
    expectations are conditional on the member's history, E[M] is the Gamma-Gamma expected spend and d is
    ``discount_rate`` per step. The purchases expected during step k are discounted as if made at its end.
    Monthly steps on weekly data: ``steps=12, step_length=52/12, discount_rate=0.01`` for a year at 1 % a month.
    In minor units of the spend's currency, as floats.
    """
    if not (isinstance(steps, int) and steps >= 1):
        raise InvalidHistory(f"steps must be a whole number of at least 1, not {steps!r}")
    if not (math.isfinite(step_length) and step_length > 0):
        raise InvalidHistory(f"step_length must be positive, not {step_length!r}")
    if not (math.isfinite(discount_rate) and discount_rate >= 0):
        raise InvalidHistory(f"discount_rate must be zero or more, not {discount_rate!r}")
    spend_x = frequency if spend_frequency is None else spend_frequency
    spend = gamma_gamma_expected_spend(params=gamma_gamma, frequency=spend_x, mean_value=mean_value)
    cumulative = np.array(
        [
            bgnbd_expected_purchases(params=bgnbd, frequency=frequency, recency=recency, age=age, t=k * step_length)
            for k in range(steps + 1)
        ]
    )
    if cumulative.shape[1] != spend.size:
        raise InvalidHistory("frequency, recency, age and mean_value must have one value per member each")
    discount = (1 + discount_rate) ** -np.arange(1, steps + 1, dtype=np.float64)
    value: FloatArray = (discount @ np.diff(cumulative, axis=0)) * spend
    return value

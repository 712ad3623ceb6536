"""Members drawn from the BG/NBD process itself, for tests and benchmarks that need many histories.

Not a test oracle for the fit: parameter recovery from simulated data is biased at realistic sizes, so the fit
is validated against the published CDNOW results (docs/analytics.md); simulated members only say how fast the
fit is, and that it lands near where it should.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tessera.analytics.clv import BgNbdParams
from tessera.analytics.inputs import FloatArray, InvalidHistory

# A purchase rate drawn as 0 (Gamma with r < 1 puts much mass near it) would make the waiting time 1/0; this
# floor means one purchase in about 10^12 periods, which is no purchase at all over any window.
_RATE_MIN = 1e-12


@dataclass(frozen=True)
class SimulatedMembers:
    frequency: FloatArray
    recency: FloatArray
    age: FloatArray


def bgnbd_simulate(*, params: BgNbdParams, members: int, age_min: float, age_max: float, seed: int) -> SimulatedMembers:
    """Draw ``members`` histories with ages uniform in [age_min, age_max].

    Each member gets λ ~ Gamma(r, rate alpha) and p ~ Beta(a, b), makes a first purchase at time 0, then repeat
    purchases at exponential intervals of mean 1/λ until the age is reached; after each repeat purchase they drop
    out with probability p. Vectorised over the members still buying, one purchase per round.
    """
    if members < 1 or not 0 < age_min <= age_max:
        raise InvalidHistory("members must be at least 1 and 0 < age_min <= age_max")
    rng = np.random.default_rng(seed)
    age = rng.uniform(age_min, age_max, members)
    rate = np.maximum(rng.gamma(params.r, 1 / params.alpha, members), _RATE_MIN)
    dropout = rng.beta(params.a, params.b, members)
    frequency, recency, clock = np.zeros(members), np.zeros(members), np.zeros(members)
    buying = np.arange(members)
    while buying.size:
        clock[buying] += rng.standard_exponential(buying.size) / rate[buying]
        buying = buying[clock[buying] <= age[buying]]
        frequency[buying] += 1
        recency[buying] = clock[buying]
        buying = buying[rng.random(buying.size) >= dropout[buying]]
    return SimulatedMembers(frequency=frequency, recency=recency, age=age)

"""Spend distributions for the ladder designer's tests: the seed's beauty salon (synthetic) and Online Retail (real).

**The salon** (seed 000, section 1): "미용실의 최대 소비 금액은 약 4,000 입니다" (the salon's maximum spend is
about 4,000), with tiers by stored value in yuan. The seed gives nothing else about its customers, so the
distribution assumes what is typical of a neighbourhood salon and keeps the one figure the seed states:

- 1,000 members, of whom 100 (10%) spent nothing in the year: cards bought and left in the wallet, which the seed
  itself calls the failure of card selling.
- The other 900 spend along a log-normal curve with a median of 1,500 yuan (a visit or two a month at 60 to 120
  yuan) and a log standard deviation of 0.6 (half of them between about 1,000 and 2,250 yuan), cut at the
  seed's maximum: nobody spends more than 4,000 yuan, and the heaviest spender spends exactly that.
- The curve is sampled at evenly spaced quantiles, not at random, so the figures are the same on every run; each
  spend is rounded to a whole yuan and held in fen (minor units, exponent 2).

**Online Retail** (UCI, ``shared/datasets/online_retail.csv.gz``): the yearly spend of every customer with a
CustomerID over the data's first full year, 2010-12-01 to 2011-11-30 (December 2011 has only nine days). A line
adds Quantity times UnitPrice in pounds; a line of an invoice whose number starts with C is a cancellation and
takes its amount off. Each customer's year is rounded to pence half away from zero; a customer whose
cancellations outweigh their purchases in the year (they bought before it) counts as a zero spender. Guest lines
(no CustomerID) belong to no member and are left out.

The data sit in ``shared/datasets`` beside the checkout (as in CI); without them the tests that need them are
skipped, and with CI=true they fail instead.
"""

from __future__ import annotations

import csv
import functools
import gzip
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

from tessera.testing import dataset

YUAN = 100  # fen in a yuan
SALON_MEMBERS, SALON_ZERO, SALON_MEDIAN_YUAN, SALON_SIGMA, SALON_MAX_YUAN = 1_000, 100, 1_500, 0.6, 4_000


def salon_spends() -> list[int]:
    """The salon's yearly spend per member in fen, lowest first (see the module docstring for the assumptions)."""
    curve = NormalDist(math.log(SALON_MEDIAN_YUAN), SALON_SIGMA)
    cut = curve.cdf(math.log(SALON_MAX_YUAN))  # the share of the uncut curve at or below 4,000 yuan
    spenders = SALON_MEMBERS - SALON_ZERO
    yuan = [round(math.exp(curve.inv_cdf(cut * (i + 1) / spenders))) for i in range(spenders)]
    return [0] * SALON_ZERO + [y * YUAN for y in yuan]


@functools.cache
def online_retail_spends() -> tuple[int, ...]:
    """Each Online Retail customer's spend over 2010-12-01 to 2011-11-30, in pence, in CustomerID order."""
    pounds: dict[str, Decimal] = defaultdict(Decimal)
    with gzip.open(dataset("online_retail.csv.gz"), "rt", newline="", encoding="utf-8") as lines:
        for line in csv.DictReader(lines):
            if not line["CustomerID"] or not "2010-12-01" <= line["InvoiceDate"][:10] <= "2011-11-30":
                continue
            amount = abs(Decimal(line["Quantity"])) * Decimal(line["UnitPrice"])
            pounds[line["CustomerID"]] += -amount if line["InvoiceNo"].startswith("C") else amount
    pence = (pounds[customer].scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP) for customer in sorted(pounds))
    return tuple(max(0, int(p)) for p in pence)

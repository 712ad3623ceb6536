"""SKU affinities on real purchases: the UCI Online Retail customers whose CustomerID ends in 7, imported as in
``test_online_retail``, against a recomputation from the CSV alone in plain Python.

The recomputation follows docs/recommendations.md: a customer bought a StockCode on a London date when a row of
that date has a positive quantity (cancellations are imported returns, which the affinity statement does not
net); X → Y counts the customers who bought Y on a later date at most 90 days after a date they bought X, among
X's purchases on or before the last watched date (the reference date less 90 days), in the 365 days before the
reference moment, 23:59 on 9 December 2011.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest

from tessera.analytics.affinity import Level, affinities
from tessera.analytics.tests.test_online_retail import LONDON, _slice_text, load

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
NOW = datetime(2011, 12, 9, 23, 59, tzinfo=LONDON)
WITHIN, MIN_SUPPORT = 90, 12


def bought_days(text: str) -> dict[str, dict[str, set[date]]]:
    start = NOW - timedelta(days=365)
    days: dict[str, dict[str, set[date]]] = defaultdict(lambda: defaultdict(set))
    for row in csv.DictReader(io.StringIO(text)):
        at = datetime.fromisoformat(row["InvoiceDate"]).replace(tzinfo=LONDON)
        if Decimal(row["Quantity"]) > 0 and start <= at < NOW and row["StockCode"]:
            days[row["CustomerID"].removesuffix(".0")][row["StockCode"]].add(at.date())
    return days


def expected(text: str) -> list[tuple[str, str, int, int, int, int]]:
    days = bought_days(text)
    last_watched = NOW.date() - timedelta(days=WITHIN)
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    starters: dict[str, int] = defaultdict(int)
    buyers: dict[str, int] = defaultdict(int)
    for skus in days.values():
        for sku, on in skus.items():
            buyers[sku] += 1
            starters[sku] += any(d <= last_watched for d in on)
        for (x, x_days), (y, y_days) in product(skus.items(), skus.items()):
            watched = [d for d in x_days if d <= last_watched]
            if x != y and any(0 < (dy - dx).days <= WITHIN for dx, dy in product(watched, y_days)):
                pairs[(x, y)] += 1
    rows = [(x, y, n, starters[x], buyers[y], len(days)) for (x, y), n in pairs.items() if n >= MIN_SUPPORT]
    return sorted(rows, key=lambda r: (-r[2], r[0], r[1]))


def test_sku_affinities_match_an_independent_recomputation(tmp_path):
    text = _slice_text()
    program, _ids = load(text, tmp_path)
    rules = affinities(program=program, level=Level.SKU, now=NOW, min_support=MIN_SUPPORT, limit=500)
    want = expected(text)
    assert 20 <= len(want) < 500  # enough rules to mean something, all of them inside the limit
    got = [(r.antecedent, r.consequent, r.support, r.antecedent_members, r.consequent_members, r.members)
           for r in rules]  # fmt: skip
    assert got == want

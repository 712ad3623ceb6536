"""RFM and lifecycle on real purchases: the UCI Online Retail customers whose CustomerID ends in 7.

Their whole history (2010-12-01 to 2011-12-09, UK shop, times local to London) goes into Tessera the way checkout
records it: one ``member_stats_sale`` per invoice and one ``member_stats_return`` per cancellation (an invoice
number starting with C), each with the invoice's value in pence, Quantity times UnitPrice summed over its lines
and rounded half up. (``tessera import transactions`` is not in main yet; when it is, this slice should go
through it.) The run is made at 23:59 on 9 December 2011 in Europe/London, so its reference date is the
default, the next day.

The expectation is recomputed here from the CSV alone, in plain Python: per customer the number of invoices,
sales less cancellations, the local date of the last invoice, then each score by sorting on (value, member id)
and cutting into five buckets of sizes n // 5, the first n % 5 of them one larger.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import os
from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from tessera.analytics.models import RfmRun, RfmScore
from tessera.analytics.rules import Thresholds, nearest_rank, segment_of, stage_of
from tessera.analytics.selectors import rfm_segment_counts, rfm_stage_counts
from tessera.analytics.services import rfm_run_create
from tessera.analytics.tests.factories import member
from tessera.members.stats import member_stats_return, member_stats_sale
from tessera.programs.models import Program
from tessera.testing import datasets_dir, world_build

pytestmark = pytest.mark.django_db

DATASETS = datasets_dir()
LONDON = ZoneInfo("Europe/London")
REFERENCE = date(2011, 12, 10)


def _path() -> Path:
    path = DATASETS / "online_retail.csv.gz"
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the Online Retail data are not at {path}")
        pytest.skip(f"the Online Retail data are not at {path}")
    return path


def invoices() -> dict[str, list[tuple[str, datetime, int, int]]]:
    """Per customer of the slice, their invoices: (number, local time, pence, items), in file order."""
    lines: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    first_seen: dict[tuple[str, str], str] = {}
    with gzip.open(_path(), "rt", newline="", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            customer = row["CustomerID"].removesuffix(".0")
            if not customer.endswith("7"):
                continue
            key = (customer, row["InvoiceNo"])
            first_seen.setdefault(key, row["InvoiceDate"])
            quantity = abs(Decimal(row["Quantity"]))
            lines[key][0] += quantity * Decimal(row["UnitPrice"])
            lines[key][1] += quantity
    result: dict[str, list[tuple[str, datetime, int, int]]] = defaultdict(list)
    for (customer, number), (pounds, quantity) in lines.items():
        pence = int(pounds.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        when = datetime.fromisoformat(first_seen[(customer, number)]).replace(tzinfo=LONDON)
        result[customer].append((number, when, pence, int(quantity)))
    return result


def load(history: dict[str, list[tuple[str, datetime, int, int]]]) -> dict[str, int]:
    """Enrol one member per customer and record their invoices; returns member ids by customer."""
    world = world_build(country="GB", timezone="Europe/London", currency="GBP", stores=1, name="Online Retail")
    ids = {}
    for customer in sorted(history):
        who = member(world)
        ids[customer] = who.id
        with transaction.atomic():
            for number, when, pence, items in history[customer]:
                record = member_stats_return if number.startswith("C") else member_stats_sale
                record(member_id=who.id, event_at=when, value_minor=pence, items=items, points=0, categories={})
    ids["__program__"] = world.program.id
    return ids


def buckets(values: dict[int, int]) -> dict[int, int]:
    """Five buckets over members ordered by (value, member id), sizes n // 5 with the remainder to the first."""
    ordered = sorted(values, key=lambda m: (values[m], m))
    n = len(ordered)
    sizes = [n // 5 + (1 if b < n % 5 else 0) for b in range(5)]
    labels = itertools.chain.from_iterable([b + 1] * size for b, size in enumerate(sizes))
    return dict(zip(ordered, labels, strict=True))


def expected(history: dict[str, list[tuple[str, datetime, int, int]]], ids: dict[str, int]) -> dict[int, tuple]:
    values = {}
    for customer, rows in history.items():
        sales = [(when, pence) for number, when, pence, _ in rows if not number.startswith("C")]
        if not sales:
            continue  # only cancellations of purchases made before the data begin
        refunds = sum(pence for number, _, pence, _ in rows if number.startswith("C"))
        last = max(when for when, _ in sales)
        values[ids[customer]] = ((REFERENCE - last.date()).days, len(sales), sum(p for _, p in sales) - refunds)
    r = buckets({m: v[0] for m, v in values.items()})
    f = buckets({m: v[1] for m, v in values.items()})
    m_ = buckets({m: v[2] for m, v in values.items()})
    return {m: (*v, 6 - r[m], f[m], m_[m]) for m, v in values.items()}


def mean_intervals(history: dict[str, list[tuple[str, datetime, int, int]]]) -> list[float]:
    intervals = []
    for rows in history.values():
        days = [when.date() for number, when, _, _ in rows if not number.startswith("C")]
        if len(days) >= 2 and max(days) > min(days):
            intervals.append((max(days) - min(days)).days / (len(days) - 1))
    return sorted(intervals)


def test_online_retail_scores_match_an_independent_recomputation():
    history = invoices()
    ids = load(history)
    program = Program.objects.get(id=ids["__program__"])
    run = rfm_run_create(program=program, now=datetime(2011, 12, 9, 23, 59, tzinfo=LONDON))
    want = expected(history, ids)
    got = {
        s.member_id: (s.recency_days, s.frequency, s.monetary_minor, s.r_score, s.f_score, s.m_score)
        for s in RfmScore.objects.filter(run=run)
    }
    assert (len(history), run.reference_date, run.members_scored) == (437, REFERENCE, 433)
    assert got == want

    intervals = mean_intervals(history)
    picks = [intervals[nearest_rank(p, len(intervals)) - 1] for p in (50, 80, 95)]
    assert (run.repeat_buyers, run.thresholds_source) == (len(intervals), "learned")
    assert [run.typical_days, run.at_risk_days, run.lapsed_days] == [int(-(-q // 1)) for q in picks]
    assert (run.repeat_buyers, run.typical_days, run.at_risk_days, run.lapsed_days) == (270, 54, 97, 192)

    segments = {c.code: c.members for c in rfm_segment_counts(run=run)}
    recount = defaultdict(int)
    for _recency, _frequency, _monetary, r, f, _m in want.values():
        recount[segment_of(r, f).name.lower()] += 1
    assert segments == {code: recount.get(code, 0) for code in segments}
    stages = {c.code: c.members for c in rfm_stage_counts(run=run)}
    thresholds = run_thresholds(run)
    restaged = defaultdict(int)
    for recency, frequency, *_ in want.values():
        restaged[stage_of(recency_days=recency, frequency=frequency, thresholds=thresholds).name.lower()] += 1
    assert stages == {code: restaged.get(code, 0) for code in stages}
    assert stages["reactivated"] == 0
    assert stages["lapsed"] > 0


def run_thresholds(run: RfmRun) -> Thresholds:
    return Thresholds(run.typical_days, run.at_risk_days, run.lapsed_days, run.thresholds_source, run.repeat_buyers)

"""RFM and lifecycle on real purchases: the UCI Online Retail customers whose CustomerID ends in 7.

Their whole history (2010-12-01 to 2011-12-09, UK shop, times local to London) goes into Tessera through the
purchase history importer (``checkout.services.imports.transactions_import``, what ``tessera import
transactions`` runs), which creates the members and records each invoice as checkout records a document,
running statistics included; unit prices with more than two decimals are rounded half up to pence
(``round_prices``). The run is made at 23:59 on 9 December 2011 in Europe/London, so its reference date is the
default, the next day.

The expectation is recomputed here from the CSV alone, in plain Python: per customer the number of invoices that
are sales (an invoice number starting with C is a cancellation, its lines have negative quantities), sales less
cancellations in pence (each line |Quantity| times UnitPrice in pence), the local dates of the last sale and
of the one before it, then each score by the cut rule written out: sort the values, take the cuts at the last
positions of NTILE(5)'s first four buckets (sizes n // 5, the first n % 5 of them one larger), and score each
value one more than the number of cuts below it.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tessera.analytics.models import RfmRun
from tessera.analytics.rules import Thresholds, nearest_rank, segment_of, stage_of
from tessera.analytics.selectors import rfm_scores, rfm_segment_counts, rfm_stage_counts
from tessera.analytics.services import rfm_run_create
from tessera.checkout.services.imports import ImportRequest, transactions_import
from tessera.kit.clock import now as clock_now
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.testing import dataset, world_build

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
REFERENCE = date(2011, 12, 10)
Invoice = tuple[str, datetime, int]  # number, local time, pence (|quantity| x unit price, summed)


def _slice_text() -> str:
    with gzip.open(dataset("online_retail.csv.gz"), "rt", newline="", encoding="utf-8") as full:
        header = next(full)
        kept = [line for line in full if line.rsplit(",", 2)[1].removesuffix(".0").endswith("7")]
    return header + "".join(kept)


def invoices(text: str) -> dict[str, list[Invoice]]:
    """Per customer of the slice, their invoices."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    times: dict[tuple[str, str], datetime] = {}
    for row in csv.DictReader(io.StringIO(text)):
        key = (row["CustomerID"].removesuffix(".0"), row["InvoiceNo"])
        price = int(Decimal(row["UnitPrice"]).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        totals[key] += abs(int(Decimal(row["Quantity"]))) * price
        times.setdefault(key, datetime.fromisoformat(row["InvoiceDate"]).replace(tzinfo=LONDON))
    result: dict[str, list[Invoice]] = defaultdict(list)
    for (customer, number), pence in totals.items():
        result[customer].append((number, times[(customer, number)], pence))
    return result


def load(text: str, tmp_path: Path) -> tuple[Program, dict[str, int]]:
    """Import the slice into a new programme; returns it and the member id of each customer."""
    world = world_build(country="GB", timezone="Europe/London", currency="GBP", stores=1, name="Online Retail")
    path = tmp_path / "online_retail_7.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    request = ImportRequest(path=path, program=world.program.public_id, create_members=True, round_prices=True)
    report = transactions_import(request=request, now=clock_now())
    assert report.errors == []
    ids = dict(Member.objects.filter(program=world.program).values_list("external_ref", "id"))
    return world.program, ids


def buckets(values: dict[int, int]) -> dict[int, int]:
    """Each member's score: 1 + the number of cuts below their value, the cuts being the values at the last
    positions of the first four of five NTILE buckets over the sorted values; equal values share a score."""
    ordered = sorted(values.values())
    n = len(ordered)
    sizes = [n // 5 + (1 if b < n % 5 else 0) for b in range(5)]
    cuts = [ordered[p - 1] for p in itertools.accumulate(sizes[:4])]
    return {m: 1 + sum(1 for c in cuts if v > c) for m, v in values.items()}


def expected(history: dict[str, list[Invoice]], ids: dict[str, int]) -> dict[int, tuple]:
    values, gaps = {}, {}
    for customer, rows in history.items():
        sales = [(when, pence) for number, when, pence in rows if not number.startswith("C")]
        if not sales:
            continue  # only cancellations of purchases made before the data begin
        refunds = sum(pence for number, _, pence in rows if number.startswith("C"))
        newest = sorted((when for when, _ in sales), reverse=True)
        values[ids[customer]] = ((REFERENCE - newest[0].date()).days, len(sales), sum(p for _, p in sales) - refunds)
        gaps[ids[customer]] = (newest[0].date() - newest[1].date()).days if len(newest) > 1 else None
    r = buckets({m: v[0] for m, v in values.items()})
    f = buckets({m: v[1] for m, v in values.items()})
    m_ = buckets({m: v[2] for m, v in values.items()})
    return {m: (*v, 6 - r[m], f[m], m_[m], gaps[m]) for m, v in values.items()}


def mean_intervals(history: dict[str, list[Invoice]]) -> list[float]:
    intervals = []
    for rows in history.values():
        days = [when.date() for number, when, _ in rows if not number.startswith("C")]
        if len(days) >= 2 and max(days) > min(days):
            intervals.append((max(days) - min(days)).days / (len(days) - 1))
    return sorted(intervals)


def test_online_retail_scores_match_an_independent_recomputation(tmp_path):
    text = _slice_text()
    history = invoices(text)
    program, ids = load(text, tmp_path)
    run = rfm_run_create(program=program, now=datetime(2011, 12, 9, 23, 59, tzinfo=LONDON))
    want = expected(history, ids)
    got = {
        s.member_id: (s.recency_days, s.frequency, s.monetary_minor, s.r_score, s.f_score, s.m_score)
        for s in rfm_scores(run=run)
    }
    assert (len(history), run.reference_date, run.members_scored) == (437, REFERENCE, 433)
    assert got == {member: values[:6] for member, values in want.items()}

    intervals = mean_intervals(history)
    picks = [intervals[nearest_rank(p, len(intervals)) - 1] for p in (50, 80, 95)]
    assert (run.repeat_buyers, run.thresholds_source) == (len(intervals), "learned")
    assert [run.typical_days, run.at_risk_days, run.lapsed_days] == [int(-(-q // 1)) for q in picks]
    assert (run.repeat_buyers, run.typical_days, run.at_risk_days, run.lapsed_days) == (270, 54, 97, 192)

    segments = {c.code: c.members for c in rfm_segment_counts(run=run)}
    recount = defaultdict(int)
    for _recency, _frequency, _monetary, r, f, _m, _gap in want.values():
        recount[segment_of(r, f).name.lower()] += 1
    assert segments == {code: recount.get(code, 0) for code in segments}
    stages = {c.code: c.members for c in rfm_stage_counts(run=run)}
    thresholds = run_thresholds(run)
    restaged = defaultdict(int)
    for recency, frequency, *_, gap in want.values():
        stage = stage_of(recency_days=recency, frequency=frequency, thresholds=thresholds, gap_days=gap)
        restaged[stage.name.lower()] += 1
    assert stages == {code: restaged.get(code, 0) for code in stages}
    # Customers who came back after more than 97 days and have not bought since: the importer's purchase
    # before the last, checked against the CSV's.
    assert stages["reactivated"] > 0
    assert stages["lapsed"] > 0


def run_thresholds(run: RfmRun) -> Thresholds:
    return Thresholds(run.typical_days, run.at_risk_days, run.lapsed_days, run.thresholds_source, run.repeat_buyers)

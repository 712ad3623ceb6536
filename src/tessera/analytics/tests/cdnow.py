"""The CDNOW sample of Fader, Hardie & Lee (2005) from the shared datasets, as the analytics tests read it.

Two forms: the published per-customer summary (``cdnow_customers_summary_with_transactions.csv``: ID, x, t_x,
T, zbar, in weeks and dollars, rounded to two decimals) and the raw purchase lines (``CDNOW_sample.txt``:
customer id, sample id 1-2357, date YYYYMMDD, CDs, dollars), summarised here with ``purchase_summary`` over the
paper's 39-week calibration period (1997-01-01 to 1997-09-30).

The data sit in ``shared/datasets`` beside the checkout (as in CI); without them the tests that need them are
skipped, and with CI=true they fail instead, as the PostgreSQL pass does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from tessera.analytics.history import PurchaseSummary, purchase_summary
from tessera.testing import dataset

CALIBRATION_END = np.datetime64("1997-09-30", "D")


@dataclass(frozen=True)
class PublishedSummary:
    ids: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    mean_value: np.ndarray  # dollars


@functools.cache
def published_summary() -> PublishedSummary:
    table = np.genfromtxt(dataset("cdnow_customers_summary_with_transactions.csv"), delimiter=",", names=True)
    assert table.dtype.names == ("ID", "x", "t_x", "T", "zbar")
    return PublishedSummary(table["ID"].astype(np.int64), table["x"], table["t_x"], table["T"], table["zbar"])


@functools.cache
def built_summary() -> PurchaseSummary:
    """The summary made from the purchase lines, amounts in integer cents."""
    columns = np.loadtxt(dataset("CDNOW_sample.txt"), dtype=str)
    dates = np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in columns[:, 2]], dtype="datetime64[D]")
    cents = np.array([int(Decimal(dollars) * 100) for dollars in columns[:, 4]], dtype=np.int64)
    return purchase_summary(
        member_ids=columns[:, 1].astype(np.int64),
        days=dates.astype(np.int64),
        amounts_minor=cents,
        end_day=int(CALIBRATION_END.astype(np.int64)),
    )

"""Per-member purchase summaries (frequency, recency, age, mean value) from purchase lines.

This is where money becomes float: amounts arrive as integer minor units, their sums stay integers
(``repeat_spend_minor``), and only the mean per repeat purchase, which the Gamma-Gamma model reads, is a float
of minor units.

Conventions, as in Fader, Hardie & Lee (2005) and docs/analytics.md: purchases on the same day by the same
member are one purchase (their amounts added); the first purchase is not a repeat purchase and its amount is not
in the mean value; recency and age are counted from the first purchase, in periods of ``period_days`` days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tessera.analytics.inputs import FloatArray, InvalidHistory, refuse_any

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class PurchaseSummary:
    """One row per member with a purchase on or before the end day, in ascending member id."""

    member_ids: IntArray
    frequency: FloatArray  # repeat purchases (purchase days after the first)
    recency: FloatArray  # first to last purchase, in periods
    age: FloatArray  # first purchase to the end day, in periods
    repeat_spend_minor: IntArray  # the repeat purchases' amounts added up, in minor units
    mean_value: FloatArray  # repeat_spend_minor / frequency, in minor units; 0 without a repeat purchase


def _integers(name: str, values: ArrayLike) -> IntArray:
    array = np.atleast_1d(np.asarray(values))
    if array.ndim != 1 or array.size == 0:
        raise InvalidHistory(f"{name} must be a non-empty one-dimensional array")
    if array.dtype.kind not in "iu":
        raise InvalidHistory(f"{name} must be integers, not {array.dtype}")
    return array.astype(np.int64)


def _one_purchase_per_day(ids: IntArray, days: IntArray, amounts: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    order = np.lexsort((days, ids))
    ids, days, amounts = ids[order], days[order], amounts[order]
    starts = np.flatnonzero(np.r_[True, (ids[1:] != ids[:-1]) | (days[1:] != days[:-1])])
    return ids[starts], days[starts], np.add.reduceat(amounts, starts)


def purchase_summary(
    *, member_ids: ArrayLike, days: ArrayLike, amounts_minor: ArrayLike, end_day: int, period_days: float = 7.0
) -> PurchaseSummary:
    """Summarise purchase lines up to and including ``end_day``.

    ``days`` are whole day numbers in the programme's calendar (``date.toordinal()`` of the local date, say);
    lines after ``end_day`` are left out. ``amounts_minor`` are net amounts in integer minor units of one
    currency: net returns against their purchases first, since a negative line would lower a member's mean value
    without removing the purchase.

    :raises InvalidHistory: arrays of different lengths or not integers, a negative amount, or no line on or
        before ``end_day``.
    """
    ids, day, amount = (
        _integers("member_ids", member_ids),
        _integers("days", days),
        _integers("amounts_minor", amounts_minor),
    )
    if not ids.size == day.size == amount.size:
        raise InvalidHistory("member_ids, days and amounts_minor must have one value per purchase line each")
    if not period_days > 0:
        raise InvalidHistory(f"period_days must be positive, not {period_days!r}")
    refuse_any([(amount < 0, "amounts must not be negative: net returns against their purchases first")])
    kept = day <= end_day
    if not kept.any():
        raise InvalidHistory("no purchase on or before the end day")
    ids, day, amount = _one_purchase_per_day(ids[kept], day[kept], amount[kept])
    firsts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    lasts = np.r_[firsts[1:], ids.size] - 1
    repeat_spend = np.add.reduceat(amount, firsts) - amount[firsts]
    frequency = (lasts - firsts).astype(np.float64)
    mean_value = np.where(frequency > 0, repeat_spend / np.maximum(frequency, 1.0), 0.0)
    return PurchaseSummary(
        member_ids=ids[firsts],
        frequency=frequency,
        recency=(day[lasts] - day[firsts]) / period_days,
        age=(end_day - day[firsts]) / period_days,
        repeat_spend_minor=repeat_spend,
        mean_value=mean_value,
    )

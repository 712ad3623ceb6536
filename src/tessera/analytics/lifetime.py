"""Lifetime value per programme: BG/NBD and Gamma-Gamma fitted on the programme's own purchases.

``clv.py`` holds the models and ``history.py`` turns purchase lines into per-member summaries; this module
feeds them a programme's documents and answers, for a member or for everyone, the probability of being alive,
the purchases and spend to expect, and the discounted lifetime value over a horizon (docs/analytics.md,
"Lifetime value per programme").

What counts as a purchase: the programme's sales, those made at its tills and those imported from another
system, one per member and local day in the programme's time zone (two sales on one day are one purchase,
their amounts added). Returns, at the till or imported, lower the amount of the day they happened on, never
below zero, and a day with returns only is no purchase: the models count visits, and a return is not one.
Amounts are the documents' totals (what the member paid for goods, after discounts), in minor units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.core.cache import cache
from django.db.models import BigIntegerField, Case, Count, F, Q, Sum, When
from django.db.models.functions import TruncDate

from tessera.analytics.clv import (
    BgNbdFit,
    bgnbd_expected_purchases,
    bgnbd_fit,
    bgnbd_probability_alive,
    lifetime_value,
)
from tessera.analytics.history import PurchaseSummary, purchase_summary
from tessera.analytics.inputs import FloatArray, InvalidHistory, InvalidParameters, SpendDependsOnFrequency
from tessera.analytics.spend import GammaGammaFit, gamma_gamma_expected_spend, gamma_gamma_fit
from tessera.checkout.models import Document
from tessera.programs.models import Program

SALES = (Document.Kind.SALE, Document.Kind.IMPORTED_SALE)
RETURNS = (Document.Kind.RETURN, Document.Kind.IMPORTED_RETURN)
PERIOD_DAYS = 7.0  # the models run in weeks, as in the CDNOW paper
WEEKS_PER_MONTH = 52 / 12
MAX_MONTHS = 36  # the longest horizon offered; a fit is checked to answer up to it
# Fewer members than this, or fewer repeat buyers, and a maximum-likelihood fit says more about noise than
# about the programme, so no fit is offered (the page says why).
MIN_MEMBERS = 50
# A fit takes seconds at a million members: made once per programme and day, then served from the cache.
CACHE_SECONDS = 24 * 3600
MIN_REPEAT_BUYERS = 20


class NoFit(InvalidHistory):
    """No usable fit: too few members or repeat buyers, or the likelihood ran off to parameters whose predictions
    are not finite (a programme whose members all buy at one steady pace, say)."""


@dataclass(frozen=True)
class ProgramFit:
    """The models fitted on one programme's purchases up to and including ``end`` (a local date)."""

    program_id: int
    end: date
    summary: PurchaseSummary
    bgnbd: BgNbdFit
    gamma_gamma: GammaGammaFit | None  # None: spend per purchase depends on frequency (the model's premise fails)
    gamma_gamma_refused: str  # why there is no Gamma-Gamma fit, or ""


@dataclass(frozen=True)
class MemberValue:
    """One member's predictions; money in minor units of the programme's currency, rounded (estimates)."""

    member_id: int
    purchases: int  # purchase days so far, the first included
    probability_alive: float
    expected_purchases: float  # over the horizon
    expected_spend_minor: int | None  # per future purchase; None without a Gamma-Gamma fit
    lifetime_value_minor: int | None  # discounted, over the horizon


def purchase_days(*, program: Program, end: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per member and local day with a sale, up to ``end``: member ids, day numbers (``date.toordinal``) and the
    day's net amount in minor units (never below zero)."""
    zone = ZoneInfo(program.timezone)
    until = datetime.combine(end + timedelta(days=1), time(), tzinfo=zone)
    rows = (
        Document.objects.filter(program=program, kind__in=(*SALES, *RETURNS), event_at__lt=until)
        .annotate(day=TruncDate("event_at", tzinfo=zone))
        .values("member_id", "day")
        .annotate(
            sales=Count("id", filter=Q(kind__in=SALES)),
            net=Sum(
                Case(
                    When(kind__in=RETURNS, then=F("total_minor") * -1),
                    default=F("total_minor"),
                    output_field=BigIntegerField(),
                )
            ),
        )
        .filter(sales__gt=0)
        .order_by()
        .values_list("member_id", "day", "net")
    )
    found = list(rows)
    ids = np.fromiter((row[0] for row in found), dtype=np.int64, count=len(found))
    days = np.fromiter((row[1].toordinal() for row in found), dtype=np.int64, count=len(found))
    amounts = np.fromiter((max(int(row[2]), 0) for row in found), dtype=np.int64, count=len(found))
    return ids, days, amounts


def program_fit(*, program: Program, end: date) -> ProgramFit:
    """Fit BG/NBD on every member with a purchase, and Gamma-Gamma on the repeat buyers.

    :raises NoFit: fewer than ``MIN_MEMBERS`` buyers or ``MIN_REPEAT_BUYERS`` repeat buyers, or a fit whose
        predictions are not finite.
    """
    ids, days, amounts = purchase_days(program=program, end=end)
    if ids.size == 0:
        raise NoFit("no purchase yet")
    summary = purchase_summary(
        member_ids=ids, days=days, amounts_minor=amounts, end_day=end.toordinal(), period_days=PERIOD_DAYS
    )
    repeaters = summary.frequency > 0
    valued = summary.mean_value > 0  # repeat buyers whose repeat purchases were not all returned
    if summary.member_ids.size < MIN_MEMBERS or int(repeaters.sum()) < MIN_REPEAT_BUYERS:
        raise NoFit(f"{summary.member_ids.size} buyers, {int(repeaters.sum())} of them repeat buyers")
    bgnbd = bgnbd_fit(frequency=summary.frequency, recency=summary.recency, age=summary.age)
    _predictions_finite(bgnbd, summary)
    try:
        spend = gamma_gamma_fit(frequency=summary.frequency[valued], mean_value=summary.mean_value[valued])
        refused = ""
    except SpendDependsOnFrequency as exc:
        spend, refused = None, str(exc)
    return ProgramFit(program.id, end, summary, bgnbd, spend, refused)


def program_fit_cached(*, program: Program, end: date) -> ProgramFit | str:
    """``program_fit`` once per programme and end day per cache, or the reason there is no fit (``NoFit``)."""
    key = f"analytics:clv:{program.id}:{end.isoformat()}"
    found: ProgramFit | str | None = cache.get(key)
    if found is None:
        try:
            found = program_fit(program=program, end=end)
        except NoFit as exc:
            found = str(exc)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _predictions_finite(bgnbd: BgNbdFit, summary: PurchaseSummary) -> None:
    """Refuse a fit that cannot answer for every member at the longest horizon offered."""
    p, s = bgnbd.params, summary
    try:
        alive = bgnbd_probability_alive(params=p, frequency=s.frequency, recency=s.recency, age=s.age)
        longest = bgnbd_expected_purchases(
            params=p, frequency=s.frequency, recency=s.recency, age=s.age, t=MAX_MONTHS * WEEKS_PER_MONTH
        )
    except (FloatingPointError, InvalidParameters) as exc:
        raise NoFit(f"the purchase model does not fit (r={p.r:.4g}, alpha={p.alpha:.4g}): {exc}") from exc
    if not (np.isfinite(alive).all() and np.isfinite(longest).all()):
        raise NoFit(f"the purchase model does not fit (r={p.r:.4g}, alpha={p.alpha:.4g})")


def values(fit: ProgramFit, *, months: int = 12, monthly_discount: float = 0.01) -> list[MemberValue]:
    """Every fitted member's predictions over ``months`` months (at most ``MAX_MONTHS``), discounted at
    ``monthly_discount`` a month."""
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidHistory(f"months must be from 1 to {MAX_MONTHS}, not {months}")
    s = fit.summary
    alive = bgnbd_probability_alive(params=fit.bgnbd.params, frequency=s.frequency, recency=s.recency, age=s.age)
    horizon = months * WEEKS_PER_MONTH
    expected = bgnbd_expected_purchases(
        params=fit.bgnbd.params, frequency=s.frequency, recency=s.recency, age=s.age, t=horizon
    )
    spend: FloatArray | None = None
    clv: FloatArray | None = None
    if fit.gamma_gamma is not None:
        # A member whose repeat purchases were all returned has no mean value to go on: the spend model gives
        # them the population's mean, as it does a member who bought once.
        spend_x = np.where(s.mean_value > 0, s.frequency, 0.0)
        spend = gamma_gamma_expected_spend(params=fit.gamma_gamma.params, frequency=spend_x, mean_value=s.mean_value)
        clv = lifetime_value(
            bgnbd=fit.bgnbd.params, gamma_gamma=fit.gamma_gamma.params, frequency=s.frequency, recency=s.recency,
            age=s.age, mean_value=s.mean_value, steps=months, step_length=WEEKS_PER_MONTH,
            discount_rate=monthly_discount, spend_frequency=spend_x,
        )  # fmt: skip
    return [
        MemberValue(
            member_id=int(s.member_ids[i]),
            purchases=int(s.frequency[i]) + 1,
            probability_alive=float(alive[i]),
            expected_purchases=float(expected[i]),
            expected_spend_minor=None if spend is None else _minor(spend[i]),
            lifetime_value_minor=None if clv is None else _minor(clv[i]),
        )
        for i in range(s.member_ids.size)
    ]


def _minor(value: float) -> int:
    return math.floor(float(value) + 0.5)


def member_value(
    fit: ProgramFit, *, member_id: int, months: int = 12, monthly_discount: float = 0.01
) -> MemberValue | None:
    """One member's predictions, or None if they had no purchase by the fit's end."""
    position = int(np.searchsorted(fit.summary.member_ids, member_id))
    if position >= fit.summary.member_ids.size or fit.summary.member_ids[position] != member_id:
        return None
    one = _one_member(fit, position)
    return values(one, months=months, monthly_discount=monthly_discount)[0]


def _one_member(fit: ProgramFit, position: int) -> ProgramFit:
    s = fit.summary
    pick = slice(position, position + 1)
    summary = PurchaseSummary(
        member_ids=s.member_ids[pick], frequency=s.frequency[pick], recency=s.recency[pick], age=s.age[pick],
        repeat_spend_minor=s.repeat_spend_minor[pick], mean_value=s.mean_value[pick],
    )  # fmt: skip
    return ProgramFit(fit.program_id, fit.end, summary, fit.bgnbd, fit.gamma_gamma, fit.gamma_gamma_refused)

"""Lifetime value in the console: the programme's fitted models and its members' predicted value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.analytics.lifetime import MAX_MONTHS, MemberValue, program_fit_cached, values
from tessera.checkout.console.common import store_of
from tessera.kit.clock import now
from tessera.members.lifecycle import program_local_date
from tessera.members.models import Member
from tessera.programs.models import Program

HORIZONS = (6, 12, 24, MAX_MONTHS)  # months offered
DISCOUNTS = (0, 1, 2)  # per cent a month
TOP = 50


@dataclass(frozen=True)
class Choice:
    months: int
    discount_percent: int


def _choice(request: HttpRequest) -> Choice:
    def pick(name: str, allowed: tuple[int, ...], default: int) -> int:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in allowed else default

    return Choice(pick("months", HORIZONS, 12), pick("discount", DISCOUNTS, 1))


def _deciles(found: list[MemberValue]) -> list[tuple[int, int, int]]:
    """(decile, members, summed value) from the most valuable tenth down."""
    ranked = sorted((v.lifetime_value_minor or 0 for v in found), reverse=True)
    size = max(len(ranked) // 10, 1)
    return [
        (k + 1, len(part), sum(part))
        for k in range(10)
        if (part := ranked[k * size : (k + 1) * size if k < 9 else None])
    ]


@require_GET
@console_view(Action.REPORT_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    store = store_of(request)
    program = Program.objects.filter(owner_id=store.merchant_id).order_by("id").first()
    if program is None:
        raise Http404("no programme")
    choice = _choice(request)
    end = program_local_date(program, now()) - timedelta(days=1)  # the last whole day
    fit = program_fit_cached(program=program, end=end)
    context: dict[str, object] = {"program": program, "end": end, "choice": choice, "horizons": HORIZONS,
                                  "discounts": DISCOUNTS}  # fmt: skip
    if isinstance(fit, str):
        return render(request, "analytics/clv/index.html", context | {"reason": fit})
    found = values(fit, months=choice.months, monthly_discount=choice.discount_percent / 100)
    top = sorted(found, key=lambda v: (-(v.lifetime_value_minor or 0), v.member_id))[:TOP]
    members = Member.objects.in_bulk([v.member_id for v in top])
    spend = fit.gamma_gamma.params if fit.gamma_gamma else None
    context |= {
        "fit": fit,
        # Four significant figures: a fitted a or b may be 1e-6 or 1e5, which fixed decimals would hide.
        "bgnbd_params": [
            f"{v:.4g}" for v in (fit.bgnbd.params.r, fit.bgnbd.params.alpha, fit.bgnbd.params.a, fit.bgnbd.params.b)
        ],
        "spend_params": [f"{v:.4g}" for v in (spend.p, spend.q, spend.gamma)] if spend else [],
        "members_fitted": len(found),
        "total_minor": sum(v.lifetime_value_minor or 0 for v in found),
        "alive": sum(v.probability_alive for v in found),
        "deciles": _deciles(found),
        "top": [(v, members[v.member_id]) for v in top],
    }
    return render(request, "analytics/clv/index.html", context)

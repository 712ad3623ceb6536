"""An alliance's settlement in the console: the alliance and its merchants, its closed months, a month between
merchants, and its downloads. Read-only.

These pages stand above any store, so they ask for none (``console_view(..., store=False)``): an alliance
administrator has no store. What a staff member may read is ``settlement.selectors.alliance_cards``; any other
alliance, or a month not closed, is the 404 of one that does not exist.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.settlement.alliances import AllianceMonth, Participant, alliance_month, alliance_participants
from tessera.settlement.exports import TABLES, XLSX, csv_bytes, xlsx_bytes
from tessera.settlement.selectors import AllianceCard, alliance_cards, alliance_visible, period_label, periods_of


def _card(request: HttpRequest, alliance_id: str) -> AllianceCard:
    card = alliance_visible(acting_of(request).scope, alliance_id=alliance_id)
    if card is None:
        raise Http404("alliance")
    return card


def _month(request: HttpRequest, alliance_id: str, year: int, month: int) -> tuple[AllianceCard, AllianceMonth]:
    card = _card(request, alliance_id)
    found = alliance_month(card, year=year, month=month)
    if found is None:
        raise Http404("period")
    return card, found


def _percent(bp: int) -> str:
    """Basis points as a percentage for people: 1000 is 10%, 250 is 2.5%."""
    return f"{Decimal(bp) / 100:f}%"


def _with_discount(participants: list[Participant]) -> list[tuple[Participant, str]]:
    """Each merchant with its own member discount as a percentage, or "" where the tier's discount applies."""
    return [(p, _percent(p.terms.discount_bp) if p.terms and p.terms.discount_bp is not None else "")
            for p in participants]  # fmt: skip


@require_GET
@console_view(Action.SETTLEMENT_VIEW, store=False)
def index(request: HttpRequest) -> HttpResponseBase:
    """The alliances the staff member may read; with only one, that alliance."""
    cards = alliance_cards(acting_of(request).scope)
    if len(cards) == 1:
        return redirect("console:settlement:alliance", alliance_id=cards[0].alliance.public_id)
    return render(request, "settlement/alliance_index.html", {"title": _("Alliances"), "cards": cards})


@require_GET
@console_view(Action.SETTLEMENT_VIEW, store=False)
def overview(request: HttpRequest, alliance_id: str) -> HttpResponse:
    card = _card(request, alliance_id)
    context = {
        "title": card.alliance.name, "card": card, "alliance": card.alliance, "program": card.program,
        "commission": _percent(card.alliance.commission_bp), "periods": periods_of(program_id=card.program.id),
        "participants": _with_discount(alliance_participants(card)),
    }  # fmt: skip
    return render(request, "settlement/alliance_overview.html", context)


@require_GET
@console_view(Action.SETTLEMENT_VIEW, store=False)
def month(request: HttpRequest, alliance_id: str, year: int, month: int) -> HttpResponse:
    card, found = _month(request, alliance_id, year, month)
    title = _("%(alliance)s: %(period)s") % {"alliance": card.alliance.name, "period": period_label(year, month)}
    context = {"title": title, "card": card, "alliance": card.alliance, "found": found, "p": found.view.period,
               "commission": _percent(found.view.period.commission_bp)}  # fmt: skip
    return render(request, "settlement/alliance_month.html", context)


@require_GET
@console_view(Action.SETTLEMENT_VIEW, store=False)
def export(request: HttpRequest, alliance_id: str, year: int, month: int, fmt: str) -> HttpResponse:
    """The month's tables the reader may see: one as CSV (``?table=``), or all of them as a workbook."""
    _card, found = _month(request, alliance_id, year, month)
    name = f"alliance-{period_label(year, month)}"
    if fmt == "csv":
        table = request.GET.get("table", "merchants")
        if table not in found.tables:
            raise Http404(table)
        body, kind, filename = csv_bytes(TABLES[table](found.view)), "text/csv; charset=utf-8", f"{name}-{table}.csv"
    else:
        body = xlsx_bytes([TABLES[table](found.view) for table in found.tables], title=name)
        kind, filename = XLSX, f"{name}.xlsx"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

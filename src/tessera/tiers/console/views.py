"""The tier ladder designer in the console (operations centre, ``program.configure``).

The page evaluates the programme's active ladder against its members' real spend when it opens; a candidate
ladder can be entered, or the spend taken from an uploaded CSV or XLSX file instead (read for the request, never
kept). Each evaluation is shown beside the designer's suggestion and the comparison of the two. A second page
compares any two ladders. Nothing here writes: applying a ladder goes through ``tiers.services`` elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.kit.errors import DomainError
from tessera.kit.money import currency_exponent
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.tiers.console.display import ladder_initial, shown
from tessera.tiers.console.forms import UPLOAD, BaseTierRows, DesignerForm, SpendSourceForm, tier_rows
from tessera.tiers.designer import BAND_BP, Rung
from tessera.tiers.designer_report import (
    comparison_dict,
    evaluate,
    evaluation_dict,
    rungs_dicts,
    suggest,
    suggestion_dict,
)
from tessera.tiers.designer_suggest import PAID_SHARE_BP
from tessera.tiers.rules import Measure
from tessera.tiers.selectors import DesignerLadder, designer_ladder_get, designer_spends_get


def _program(request: HttpRequest) -> Program:
    """The programme the current store's merchant owns (the operations centre shapes its own programme only)."""
    store = acting_of(request).store
    assert store is not None, "the guard lets no designer page run without a store"
    program = Program.objects.filter(owner_id=store.merchant_id).order_by("id").first()
    if program is None:
        raise Http404("no programme")
    return program


def _current(program: Program) -> DesignerLadder | None:
    return designer_ladder_get(program_id=program.id, language=get_language() or "en")


def _spends(program: Program, form: SpendSourceForm | None) -> tuple[Sequence[int], str]:
    """The spends to evaluate on and a sentence saying whose they are."""
    if form is not None and form.cleaned_data.get("source") == UPLOAD and form.upload is not None:
        upload = form.upload
        text = _("Spend from the uploaded file: %(members)s members in %(rows)s rows (%(format)s); not kept.") % {
            "members": f"{len(upload.spends_minor):,}", "rows": f"{upload.rows:,}", "format": upload.format.upper(),
        }  # fmt: skip
        return upload.spends_minor, text
    real = designer_spends_get(program_id=program.id)
    values = {"members": f"{len(real.spends_minor):,}"}
    if real.source == "ladder" and real.measure is not None:
        values["measure"] = str(Measure(real.measure).label).lower()
        text = _("Spend of the programme's %(members)s open members: each one's %(measure)s on the active ladder, "
                 "counted in their current window; members with none count as zero.") % values  # fmt: skip
    else:
        text = _("Spend of the programme's %(members)s open members: each one's purchases since joining, less "
                 "returns; members with none count as zero.") % values  # fmt: skip
    return real.spends_minor, text


def _designed(spends: Sequence[int], ladder: list[Rung], *, band_bp: int, paid_share_bp: int, exponent: int) -> dict:
    """The ladder's evaluation, the suggestion for its tiers and their comparison, or why there are none."""
    try:
        given = evaluate(spends_minor=spends, ladder=ladder, band_bp=band_bp)
    except DomainError as exc:
        return {"error": exc.text()}
    result: dict[str, Any] = {"given": shown(evaluation_dict(given, exponent=exponent), exponent=exponent)}
    try:
        suggestion = suggest(spends_minor=spends, template=ladder, band_bp=band_bp, paid_share_bp=paid_share_bp)
    except DomainError as exc:
        result["suggestion_error"] = exc.text()
        return result
    proposed = suggestion_dict(suggestion, exponent=exponent)
    proposed["evaluation"] = shown(proposed["evaluation"], exponent=exponent)
    names = (_("your ladder"), _("the suggestion"))
    result["suggestion"] = proposed
    result["comparison"] = comparison_dict(given, suggestion.evaluation, names=names, exponent=exponent)
    return result


def _context(program: Program, **more: Any) -> dict[str, Any]:
    members = Member.objects.filter(program=program).exclude(status=Member.Status.CLOSED).count()
    return {"title": _("Tier ladder designer"), "program": program, "open_members": members, **more}


@require_http_methods(["GET", "POST"])
@console_view(Action.PROGRAM_CONFIGURE)
def designer(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    currency, exponent = program.currency, currency_exponent(program.currency)
    current = _current(program)
    usable = current is not None and current.judges_money
    initial = ladder_initial(rungs_dicts(current.rungs), exponent=exponent) if usable and current else []
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = DesignerForm(data, files, currency=currency, exponent=exponent)
    rows = tier_rows(data, prefix="tiers", currency=currency, initial=initial)
    context = _context(program, form=form, rows=rows, current=current, usable=usable, currency=currency)
    if data is not None and form.is_valid() and rows.is_valid():
        spends, context["source_text"] = _spends(program, form)
        context["result"] = _designed(spends, rows.rungs(), band_bp=form.band_bp, paid_share_bp=form.paid_share_bp,
                                      exponent=exponent)  # fmt: skip
    elif data is None and usable and current is not None:
        spends, context["source_text"] = _spends(program, None)
        context["result"] = _designed(
            spends, list(current.rungs), band_bp=BAND_BP, paid_share_bp=PAID_SHARE_BP, exponent=exponent
        )
    return render(request, "tiers/designer.html", context)


def _compared(spends: Sequence[int], first: BaseTierRows, second: BaseTierRows, *, band_bp: int, exponent: int) -> dict:
    try:
        a = evaluate(spends_minor=spends, ladder=first.rungs(), band_bp=band_bp)
        b = evaluate(spends_minor=spends, ladder=second.rungs(), band_bp=band_bp)
    except DomainError as exc:
        return {"error": exc.text()}
    names = (_("the first ladder"), _("the second ladder"))
    return {
        "first": shown(evaluation_dict(a, exponent=exponent), exponent=exponent),
        "second": shown(evaluation_dict(b, exponent=exponent), exponent=exponent),
        "comparison": comparison_dict(a, b, names=names, exponent=exponent),
    }


@require_http_methods(["GET", "POST"])
@console_view(Action.PROGRAM_CONFIGURE)
def compare(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    currency, exponent = program.currency, currency_exponent(program.currency)
    current = _current(program)
    initial = ladder_initial(rungs_dicts(current.rungs), exponent=exponent) if current and current.judges_money else []
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = SpendSourceForm(data, files, currency=currency, exponent=exponent)
    first = tier_rows(data, prefix="first", currency=currency, initial=initial)
    second = tier_rows(data, prefix="second", currency=currency, initial=[])
    context = _context(program, form=form, first=first, second=second, currency=currency,
                       title=_("Compare two tier ladders"))  # fmt: skip
    if data is not None and form.is_valid() and first.is_valid() and second.is_valid():
        spends, context["source_text"] = _spends(program, form)
        context["result"] = _compared(spends, first, second, band_bp=form.band_bp, exponent=exponent)
    return render(request, "tiers/compare.html", context)

"""Settlement in the console: closed months, one month's statements and transfers, exports, closing and
adjusting. What a staff member sees is ``settlement_visible``: merchant-wide roles every store, a store manager
their own stores' statements and the lines that involve them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.checkout.console.common import store_of, write_kwargs
from tessera.kit.actor import Actor
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.programs.models import Program
from tessera.settlement.console.forms import AdjustForm, CloseForm
from tessera.settlement.exports import TABLES, export_file
from tessera.settlement.models import SettlementPeriod
from tessera.settlement.selectors import PeriodView, Visible, period_view, periods_of, settlement_visible
from tessera.settlement.services import settlement_adjust, settlement_close
from tessera.stores.models import Store
from tessera.stores.selectors import headquarters_actor


def _program(request: HttpRequest, action: Action) -> tuple[Program, Visible]:
    """The programme the current store's merchant owns, and what this staff member may see of its settlement."""
    store = store_of(request)
    program = Program.objects.filter(owner_id=store.merchant_id).order_by("id").first()
    if program is None:
        raise Http404("no programme")
    visible = settlement_visible(acting_of(request).scope, program, action)
    if visible is None:
        raise Http404("settlement not visible")
    return program, visible


def _period(program: Program, year: int, month: int, visible: Visible) -> PeriodView:
    period = SettlementPeriod.objects.filter(program=program, year=year, month=month).select_related("program").first()
    if period is None:
        raise Http404("period")
    return period_view(period, store_ids=visible.filter)


def _hq_actor(request: HttpRequest, program: Program) -> Actor:
    """Closing and adjusting are headquarters' acts, recorded at its store whichever store the staff member chose."""
    user = acting_of(request).user
    return headquarters_actor(merchant_id=program.owner_id, staff_id=user.id, label=user.get_username())


def _stores(program: Program) -> Any:
    return Store.objects.filter(merchant_id=program.owner_id).order_by("code")


@require_GET
@console_view(Action.SETTLEMENT_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    program, visible = _program(request, Action.SETTLEMENT_VIEW)
    acting = acting_of(request)
    may_close = settlement_visible(acting.scope, program, Action.SETTLEMENT_CLOSE) is not None
    may_adjust = settlement_visible(acting.scope, program, Action.SETTLEMENT_ADJUST) is not None
    context = {
        "title": _("Settlement"), "program": program, "periods": periods_of(program_id=program.id),
        "everything": visible.everything, "close_form": CloseForm() if may_close else None,
        "adjust_form": AdjustForm(stores=_stores(program), **write_kwargs(request)) if may_adjust else None,
    }  # fmt: skip
    return render(request, "settlement/index.html", context)


@require_GET
@console_view(Action.SETTLEMENT_VIEW)
def period(request: HttpRequest, year: int, month: int) -> HttpResponse:
    program, visible = _program(request, Action.SETTLEMENT_VIEW)
    view = _period(program, year, month, visible)
    codes = sorted({s.store.code for s in view.statements} | {o.debtor.code for o in view.obligations}
                   | {o.creditor.code for o in view.obligations})  # fmt: skip
    cells = {(o.debtor.code, o.creditor.code): o.total_minor for o in view.obligations}
    matrix = [(debtor, [cells.get((debtor, creditor)) for creditor in codes]) for debtor in codes]
    context = {"title": _("Settlement %(period)s") % {"period": f"{year:04d}-{month:02d}"}, "view": view,
               "p": view.period, "codes": codes, "matrix": matrix, "everything": visible.everything}  # fmt: skip
    return render(request, "settlement/period.html", context)


@require_GET
@console_view(Action.SETTLEMENT_VIEW)
def export(request: HttpRequest, year: int, month: int, fmt: str) -> HttpResponse:
    program, visible = _program(request, Action.SETTLEMENT_VIEW)
    table = request.GET.get("table", "statements")
    if fmt == "csv" and table not in TABLES:
        raise Http404(table)
    body, kind, name = export_file(_period(program, year, month, visible), fmt=fmt, table=table)
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@console_view(Action.SETTLEMENT_CLOSE)
def close(request: HttpRequest) -> HttpResponseBase:
    program, _visible = _program(request, Action.SETTLEMENT_CLOSE)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("console:settlement:index")
    year, month = (int(part) for part in form.cleaned_data["period"].split("-"))
    try:
        settlement_close(program=program, year=year, month=month, actor=_hq_actor(request, program), now=now())
    except DomainError as exc:
        messages.error(request, exc.text())
        return redirect("console:settlement:index")
    messages.success(request, _("%(period)s is closed.") % {"period": form.cleaned_data["period"]})
    return redirect("console:settlement:period", year=year, month=month)


@require_http_methods(["POST"])
@console_view(Action.SETTLEMENT_ADJUST)
def adjust(request: HttpRequest) -> HttpResponseBase:
    program, _visible = _program(request, Action.SETTLEMENT_ADJUST)
    form = AdjustForm(request.POST, stores=_stores(program), **write_kwargs(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            settlement_adjust(program=program, creditor=data["creditor"], debtor=data["debtor"],
                              amount_minor=data["amount"], reason=data["reason"], corrects=data["corrects"],
                              actor=_hq_actor(request, program), request_key=form.write_token.request_key,
                              now=now())  # fmt: skip
        except DomainError as exc:
            form.domain_error(exc)
        else:
            messages.success(request, _("The adjustment is recorded in this month."))
            return redirect("console:settlement:index")
    context = {"title": _("Settlement"), "program": program, "periods": periods_of(program_id=program.id),
               "everything": True, "close_form": CloseForm(), "adjust_form": form}  # fmt: skip
    return render(request, "settlement/index.html", context, status=422)

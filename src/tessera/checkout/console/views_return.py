"""Returns: find the member's sale at this store, choose quantities per line (or everything left), commit."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.checkout.commands import ReturnIn, ReturnLineIn
from tessera.checkout.console.common import receipt_redirect, store_of, write_kwargs
from tessera.checkout.console.forms import ReturnFindForm, ReturnForm
from tessera.checkout.selectors import ReturnableSale, sale_list_for_return, sale_returnable_get
from tessera.checkout.services import return_commit
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.members.selectors import member_get_for_merchant

RETURN_ALL = "all"


@require_GET
@console_view(Action.RETURN)
def return_find(request: HttpRequest) -> HttpResponse:
    """The member's sales at this store, to pick the one being returned."""
    store = store_of(request)
    form = ReturnFindForm(request.GET if "member" in request.GET else None)
    member, sales = None, []
    if form.is_bound and form.is_valid():
        member = member_get_for_merchant(merchant_id=store.merchant_id, reference=form.cleaned_data["member"])
        if member is None:
            form.add_error("member", _("No member matches this card, code or id."))
        else:
            sales = sale_list_for_return(store_id=store.id, member_id=member.id)
    context = {"form": form, "member": member, "sales": sales, "title": _("Return")}
    return render(request, "checkout/return_find.html", context)


def _command(form: ReturnForm, sale: ReturnableSale, *, everything: bool) -> ReturnIn:
    token = form.write_token
    quantities = {} if everything else form.quantities()
    return ReturnIn(
        original_pos_number=sale.document.pos_number,
        pos_number=token.pos_number("R"),
        event_at=token.at,
        lines=tuple(ReturnLineIn(line_no=no, quantity=q) for no, q in sorted(quantities.items())),
    )


@require_http_methods(["GET", "POST"])
@console_view(Action.RETURN)
def return_lines(request: HttpRequest, document_id: str) -> HttpResponseBase:
    sale = sale_returnable_get(store_id=store_of(request).id, public_id=document_id)
    if sale is None:
        raise Http404(document_id)
    data = request.POST if request.method == "POST" else None
    remaining = {line.line_no: line.remaining for line in sale.lines}
    form = ReturnForm(data, remaining=remaining, **write_kwargs(request))
    if data is not None and form.is_valid():
        everything = data.get("mode") == RETURN_ALL
        if not everything and not form.quantities():
            form.add_error(None, _("Enter a quantity to return on at least one line."))
        else:
            try:
                outcome = return_commit(
                    actor=acting_of(request).actor(),
                    ret=_command(form, sale, everything=everything),
                    request_key=form.write_token.request_key,
                    now=now(),
                )
            except DomainError as exc:
                form.domain_error(exc)
            else:
                return receipt_redirect(request, outcome)
    rows = [(line, form[f"line_{line.line_no}"] if line.remaining else None) for line in sale.lines]
    context = {"form": form, "sale": sale, "rows": rows, "title": _("Return"), "return_all": RETURN_ALL}
    return render(request, "checkout/return_lines.html", context)

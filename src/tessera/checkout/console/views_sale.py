"""The sale screen: lines and tenders, a quote (dry run) shown before the commit, and the commit itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.forms import BaseFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.checkout.commands import LineIn, SaleIn, TenderIn
from tessera.checkout.console.common import member_panel, receipt_redirect, store_of, write_kwargs
from tessera.checkout.console.forms import LINES_MAX, TENDERS_MAX, LineFormSet, SaleForm, TenderFormSet
from tessera.checkout.services import sale_commit, sale_quote
from tessera.kit.clock import now
from tessera.kit.console.forms import money_field_set_currency
from tessera.kit.errors import DomainError


@dataclass
class SaleForms:
    form: SaleForm
    lines: BaseFormSet
    tenders: BaseFormSet

    def is_valid(self) -> bool:
        # Validate all three so every mistake shows at once, not one form at a time.
        return all([self.form.is_valid(), self.lines.is_valid(), self.tenders.is_valid()])

    def sale(self, currency: str) -> SaleIn:
        token = self.form.write_token
        filled = [f.cleaned_data for f in self.lines.forms if f.has_changed() and f.cleaned_data]
        paid = [f.cleaned_data for f in self.tenders.forms if f.has_changed() and f.cleaned_data]
        return SaleIn(
            member=self.form.cleaned_data["member"].strip(),
            pos_number=token.pos_number("S"),
            event_at=token.at,
            currency=currency,
            lines=tuple(
                LineIn(
                    line_no=number,
                    sku=line["sku"].strip(),
                    name=line["name"].strip(),
                    category=line["category"].strip(),
                    quantity=line["quantity"],
                    unit_price_minor=line["unit_price"],
                    discount_minor=line["discount"] or 0,
                )
                for number, line in enumerate(filled, start=1)
            ),
            tenders=tuple(TenderIn(kind=t["kind"], amount_minor=t["amount"], reference=t["reference"]) for t in paid),
            coupons=self.form.coupon_codes(),
        )


def _sale_forms(request: HttpRequest) -> SaleForms:
    data = request.POST if request.method == "POST" else None
    form = SaleForm(data, initial={"member": request.GET.get("member", "")}, **write_kwargs(request))
    forms = SaleForms(form, LineFormSet(data, prefix="lines"), TenderFormSet(data, prefix="tenders"))
    currency = store_of(request).currency
    for row in [*forms.lines.forms, *forms.tenders.forms]:
        money_field_set_currency(row, currency)
    return forms


def _render(request: HttpRequest, forms: SaleForms, **extra: Any) -> HttpResponse:
    context = {
        "title": _("Sale"),
        "form": forms.form,
        "lines": forms.lines,
        "tenders": forms.tenders,
        "currency": store_of(request).currency,
        "panel": member_panel(request, request.GET.get("member", "")),
        **extra,
    }
    return render(request, "checkout/sale.html", context)


@require_GET
@console_view(Action.SALE)
def sale_page(request: HttpRequest) -> HttpResponse:
    return _render(request, _sale_forms(request))


@require_POST
@console_view(Action.SALE)
def sale_quote_view(request: HttpRequest) -> HttpResponse:
    """Show what committing would do (points, stored value split, balances) without writing anything."""
    forms = _sale_forms(request)
    if not forms.is_valid():
        return _render(request, forms)
    sale = forms.sale(store_of(request).currency)
    try:
        quote = sale_quote(actor=acting_of(request).actor(), sale=sale, now=now(), hold=True)
    except DomainError as exc:
        forms.form.domain_error(exc)
        return _render(request, forms)
    # The coupons the quote chose go into the field, so that committing uses exactly what was quoted.
    codes = " ".join(used["code"] for used in quote["coupons"]["used"])
    if codes != (forms.form.cleaned_data.get("coupons") or "").strip():
        data = request.POST.copy()
        data[forms.form.add_prefix("coupons")] = codes
        forms.form.data = data
    return _render(request, forms, quote=quote, quoted=member_panel(request, sale.member))


@require_POST
@console_view(Action.SALE)
def sale_commit_view(request: HttpRequest) -> HttpResponseBase:
    forms = _sale_forms(request)
    if not forms.is_valid():
        return _render(request, forms)
    token = forms.form.write_token
    sale = forms.sale(store_of(request).currency)
    try:
        outcome = sale_commit(actor=acting_of(request).actor(), sale=sale, request_key=token.request_key, now=now())
    except DomainError as exc:
        forms.form.domain_error(exc)
        return _render(request, forms)
    return receipt_redirect(request, outcome)


@require_GET
@console_view(Action.SALE)
def sale_row(request: HttpRequest) -> HttpResponse:
    """One more empty line or tender row (HTMX), with the formset's form count bumped out of band."""
    kind = "tenders" if request.GET.get("kind") == "tenders" else "lines"
    limit = TENDERS_MAX if kind == "tenders" else LINES_MAX
    try:
        index = max(0, min(int(request.GET.get("index", "0")), limit - 1))
    except ValueError:
        index = 0
    formset = (TenderFormSet if kind == "tenders" else LineFormSet)(prefix=kind)
    row = formset.form(prefix=f"{kind}-{index}", empty_permitted=True, use_required_attribute=False)
    context = {"kind": kind, "row": row, "total": index + 1, "next_index": index + 1, "limit": limit}
    return render(request, "checkout/_sale_row.html", context)

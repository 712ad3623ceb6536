"""Top-ups of stored value, their refunds and points redemptions: one form, one service call each."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.checkout.commands import RedemptionIn, TopUpIn, TopUpRefundIn
from tessera.checkout.console.common import member_panel, receipt_redirect, store_of, write_kwargs
from tessera.checkout.console.forms import RedeemForm, TopUpForm, TopUpRefundForm
from tessera.checkout.services import points_redeem, top_up_commit, top_up_refund_commit
from tessera.kit.clock import now
from tessera.kit.console.forms import WriteForm, money_field_set_currency
from tessera.kit.errors import DomainError


def _render(request: HttpRequest, form: WriteForm, title: str, button: str) -> HttpResponse:
    reference = form["member"].value() or ""
    context = {"form": form, "title": title, "button": button, "panel": member_panel(request, str(reference).strip())}
    return render(request, "checkout/simple_form.html", context)


@require_http_methods(["GET", "POST"])
@console_view(Action.TOP_UP)
def top_up(request: HttpRequest) -> HttpResponseBase:
    store = store_of(request)
    data = request.POST if request.method == "POST" else None
    form = TopUpForm(data, initial={"member": request.GET.get("member", "")}, **write_kwargs(request))
    money_field_set_currency(form, store.currency)
    if data is not None and form.is_valid():
        token = form.write_token
        command = TopUpIn(
            member=form.cleaned_data["member"].strip(),
            pos_number=token.pos_number("T"),
            event_at=token.at,
            currency=store.currency,
            amount_minor=form.cleaned_data["amount"],
            tender_kind=form.cleaned_data["tender"],
        )
        try:
            outcome = top_up_commit(
                actor=acting_of(request).actor(), top_up=command, request_key=token.request_key, now=now()
            )
        except DomainError as exc:
            form.domain_error(exc)
        else:
            return receipt_redirect(request, outcome)
    return _render(request, form, str(_("Top-up")), str(_("Top up")))


@require_http_methods(["GET", "POST"])
@console_view(Action.TOP_UP_REFUND)
def top_up_refund(request: HttpRequest) -> HttpResponseBase:
    """Pay back a top-up made at this store, found by its receipt number (docs/ledger.md, example 9)."""
    store = store_of(request)
    data = request.POST if request.method == "POST" else None
    form = TopUpRefundForm(data, initial={"original": request.GET.get("original", "")}, **write_kwargs(request))
    money_field_set_currency(form, store.currency)
    if data is not None and form.is_valid():
        token = form.write_token
        command = TopUpRefundIn(
            original_pos_number=form.cleaned_data["original"].strip(),
            pos_number=token.pos_number("TR"),
            event_at=token.at,
            amount_minor=form.cleaned_data["amount"],
            tender_kind=form.cleaned_data["tender"],
        )
        try:
            outcome = top_up_refund_commit(
                actor=acting_of(request).actor(), refund=command, request_key=token.request_key, now=now()
            )
        except DomainError as exc:
            form.domain_error(exc)
        else:
            return receipt_redirect(request, outcome)
    title, button = str(_("Refund a top-up")), str(_("Refund"))
    context = {"form": form, "title": title, "button": button, "panel": None}
    return render(request, "checkout/simple_form.html", context)


@require_http_methods(["GET", "POST"])
@console_view(Action.POINTS_REDEEM)
def redeem(request: HttpRequest) -> HttpResponseBase:
    data = request.POST if request.method == "POST" else None
    form = RedeemForm(data, initial={"member": request.GET.get("member", "")}, **write_kwargs(request))
    if data is not None and form.is_valid():
        token = form.write_token
        command = RedemptionIn(
            member=form.cleaned_data["member"].strip(),
            pos_number=token.pos_number("P"),
            event_at=token.at,
            points=form.cleaned_data["points"],
            reason=form.cleaned_data["note"],
        )
        try:
            outcome = points_redeem(
                actor=acting_of(request).actor(), redemption=command, request_key=token.request_key, now=now()
            )
        except DomainError as exc:
            form.domain_error(exc)
        else:
            return receipt_redirect(request, outcome)
    return _render(request, form, str(_("Redeem points")), str(_("Redeem")))

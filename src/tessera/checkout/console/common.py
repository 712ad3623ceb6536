"""Pieces every cashier screen shares: the acting store, write-form arguments, the member panel, receipts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tessera.access.console.acting import acting_of
from tessera.kit.clock import now
from tessera.kit.outcome import Outcome
from tessera.members.selectors import member_balances, member_get_for_merchant
from tessera.stores.models import Store


def store_of(request: HttpRequest) -> Store:
    store = acting_of(request).store
    assert store is not None, "the guard lets no cashier screen run without a store"
    return store


def write_kwargs(request: HttpRequest) -> dict[str, Any]:
    """What a ``WriteForm`` needs to mint or check its token: the store, the staff member and the time."""
    acting = acting_of(request)
    return {"store_id": store_of(request).id, "staff_id": acting.user.id, "now": now()}


def member_panel(request: HttpRequest, reference: str) -> dict[str, Any] | None:
    """The member a screen was opened for (``?member=``), with balances, to show beside the form."""
    if not reference:
        return None
    merchant_id = store_of(request).merchant_id
    member = member_get_for_merchant(merchant_id=merchant_id, reference=reference)
    if member is None:
        return None
    return {"member": member, "balances": member_balances(member=member, merchant_id=merchant_id)}


def receipt_redirect(request: HttpRequest, outcome: Outcome) -> HttpResponse:
    """After a write: to its receipt, saying plainly when a repeated submit was answered from the first one."""
    if outcome.replayed:
        messages.info(
            request, _("This form was already submitted; the first result is shown and nothing was posted twice.")
        )
    else:
        messages.success(request, _("Recorded."))
    return redirect("console:checkout:document", document_id=outcome.body["document_id"])

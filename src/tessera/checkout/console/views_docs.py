"""Receipts of documents recorded at this store, and the store report."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.checkout.console.common import store_of
from tessera.checkout.selectors import document_get_for_store, store_report
from tessera.kit.clock import now


@require_GET
@console_view(Action.MEMBER_VIEW)
def document_detail(request: HttpRequest, document_id: str) -> HttpResponse:
    """A receipt, for documents of the current store only; another store's id is a 404, never a leak."""
    document = document_get_for_store(store_id=store_of(request).id, public_id=document_id)
    if document is None:
        raise Http404(document_id)
    context = {"document": document, "receipt": document.receipt, "title": document.get_kind_display()}
    return render(request, "checkout/receipt.html", context)


@require_GET
@console_view(Action.STORE_REPORT)
def report(request: HttpRequest) -> HttpResponse:
    figures = store_report(store=store_of(request), now=now())
    return render(request, "checkout/report.html", {"report": figures, "title": _("Store report")})

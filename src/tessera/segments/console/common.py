"""What every segment page needs: the programme of the staff member's merchant, if they act for all of it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tessera.access.console.acting import acting_of
from tessera.access.rules import Action, scope_allows_merchant
from tessera.checkout.console.common import store_of
from tessera.kit.actor import Actor
from tessera.programs.models import Program
from tessera.segments.errors import SegmentNotFound
from tessera.segments.models import Segment
from tessera.segments.selectors import segment_get
from tessera.stores.selectors import headquarters_actor


class NotMerchantWide(Exception):
    """The staff member reaches only some stores: segments span the whole programme, so they are not theirs."""


def program_of(request: HttpRequest, action: Action) -> Program:
    """The programme the current store's merchant owns, for a staff member who may do ``action`` merchant-wide.

    A store manager holds ``report.view`` but only for their stores, and a segment counts every member of the
    programme, so they are sent away (``elsewhere``) rather than shown a programme-wide figure.

    :raises NotMerchantWide: the scope covers only some of the merchant's stores.
    """
    store = store_of(request)
    program = Program.objects.filter(owner_id=store.merchant_id).order_by("id").first()
    if program is None:
        raise Http404("no programme")
    if not scope_allows_merchant(acting_of(request).scope, action, merchant_id=program.owner_id):
        if action is not Action.REPORT_VIEW:
            raise PermissionDenied(action.value)  # only merchant-wide roles hold the segment actions today
        raise NotMerchantWide()
    return program


def segment_of(program: Program, segment_id: str) -> Segment:
    try:
        return segment_get(program=program, public_id=segment_id)
    except SegmentNotFound as exc:
        raise Http404("segment") from exc


def elsewhere(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Segments cover the whole programme, so they are for headquarters."))
    return redirect("console:home")


def hq_actor(request: HttpRequest, program: Program) -> Actor:
    """Segments are headquarters' work, recorded at its store whichever store the staff member chose."""
    user = acting_of(request).user
    return headquarters_actor(merchant_id=program.owner_id, staff_id=user.id, label=user.get_username())

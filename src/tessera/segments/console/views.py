"""Saved segments in the console: the list with counts, one segment with its members, refresh, delete, export."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action, scope_allows_merchant
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.kit.phone import phone_mask
from tessera.segments.console.common import NotMerchantWide, elsewhere, hq_actor, program_of, segment_of
from tessera.segments.console.display import describe
from tessera.segments.exports import export_filename
from tessera.segments.selectors import segment_field_choices, segment_list, segment_members, segment_refreshes
from tessera.segments.services import segment_delete, segment_export, segment_refresh

PAGE_SIZE = 50


def _may(request: HttpRequest, action: Action, owner_id: int) -> bool:
    return scope_allows_merchant(acting_of(request).scope, action, merchant_id=owner_id)


@require_GET
@console_view(Action.REPORT_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    try:
        program = program_of(request, Action.REPORT_VIEW)
    except NotMerchantWide:
        return elsewhere(request)
    context = {"title": _("Segments"), "program": program, "segments": segment_list(program=program),
               "may_manage": _may(request, Action.SEGMENT_MANAGE, program.owner_id)}  # fmt: skip
    return render(request, "segments/index.html", context)


@require_GET
@console_view(Action.REPORT_VIEW)
def detail(request: HttpRequest, segment_id: str) -> HttpResponse:
    try:
        program = program_of(request, Action.REPORT_VIEW)
    except NotMerchantWide:
        return elsewhere(request)
    segment = segment_of(program, segment_id)
    page = Paginator(segment_members(segment=segment), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(m, phone_mask(m.phone)) for m in page.object_list]
    context = {
        "title": segment.name, "program": program, "segment": segment, "page": page, "rows": rows,
        "summary": describe(segment.definition, program.currency, segment_field_choices(program=program)),
        "refreshes": segment_refreshes(segment=segment, limit=10),
        "may_manage": _may(request, Action.SEGMENT_MANAGE, program.owner_id),
        "may_export": _may(request, Action.SEGMENT_EXPORT, program.owner_id),
    }  # fmt: skip
    return render(request, "segments/detail.html", context)


@require_POST
@console_view(Action.SEGMENT_MANAGE)
def refresh(request: HttpRequest, segment_id: str) -> HttpResponseBase:
    program = program_of(request, Action.SEGMENT_MANAGE)
    segment = segment_of(program, segment_id)
    try:
        done = segment_refresh(segment=segment, now=now(), staff_id=acting_of(request).user.id)
    except DomainError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, _("Refreshed: %(count)s members.") % {"count": f"{done.member_count:,}"})
    return redirect("console:segments:detail", segment_id=segment.public_id)


@require_POST
@console_view(Action.SEGMENT_MANAGE)
def delete(request: HttpRequest, segment_id: str) -> HttpResponseBase:
    program = program_of(request, Action.SEGMENT_MANAGE)
    segment = segment_of(program, segment_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the segment should be deleted."))
        return redirect("console:segments:detail", segment_id=segment.public_id)
    segment_delete(segment=segment, actor=hq_actor(request, program), now=now())
    messages.success(request, _("The segment %(name)s was deleted.") % {"name": segment.name})
    return redirect("console:segments:index")


@require_POST
@console_view(Action.SEGMENT_EXPORT)
def export(request: HttpRequest, segment_id: str) -> HttpResponse:
    program = program_of(request, Action.SEGMENT_EXPORT)
    segment = segment_of(program, segment_id)
    body, _rows = segment_export(segment=segment, actor=hq_actor(request, program), now=now())
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(segment)}"'
    return response

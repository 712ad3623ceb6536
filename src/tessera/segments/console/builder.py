"""The segment builder: groups and condition rows edited in place (HTMX), a live count, saving.

Every change posts the whole form: ``rows`` answers the tree again with the change applied (a row added or
removed, a new field's operators) and the count out of band; ``count`` answers the count alone, as the user
types (debounced in the page). Both read the tree from the form, so nothing is kept on the server meanwhile.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.programs.models import Program
from tessera.segments.console.common import hq_actor, program_of, segment_of
from tessera.segments.console.display import field_options, group_view
from tessera.segments.console.forms import (
    DraftCondition,
    DraftGroup,
    SegmentForm,
    definition_from_draft,
    draft_apply,
    draft_from_definition,
    draft_from_post,
)
from tessera.segments.errors import DefinitionInvalid
from tessera.segments.models import Segment
from tessera.segments.selectors import definition_count, segment_field_choices
from tessera.segments.services import segment_create, segment_update


def _count(program: Program, draft: DraftGroup) -> dict[str, Any]:
    try:
        members = definition_count(program=program, definition=definition_from_draft(draft, program.currency),
                                   now=now())  # fmt: skip
    except DefinitionInvalid as exc:
        return {"count": None, "problems": exc.problems}
    return {"count": members, "problems": []}


def _context(program: Program, draft: DraftGroup, **extra: Any) -> dict[str, Any]:
    choices = segment_field_choices(program=program)
    return {"program": program, "tree": group_view(draft, choices, program.currency), "fields": field_options(),
            **_count(program, draft), **extra}  # fmt: skip


@require_http_methods(["GET", "POST"])
@console_view(Action.SEGMENT_MANAGE)
def create(request: HttpRequest) -> HttpResponseBase:
    program = program_of(request, Action.SEGMENT_MANAGE)
    if request.method == "GET":
        draft = DraftGroup("all", [DraftCondition()])
        return _page(request, program, draft, SegmentForm(), None)
    return _save(request, program, None)


@require_http_methods(["GET", "POST"])
@console_view(Action.SEGMENT_MANAGE)
def edit(request: HttpRequest, segment_id: str) -> HttpResponseBase:
    program = program_of(request, Action.SEGMENT_MANAGE)
    segment = segment_of(program, segment_id)
    if request.method == "GET":
        form = SegmentForm(initial={"name": segment.name, "description": segment.description,
                                    "is_smart_tag": segment.is_smart_tag, "tag_label": segment.tag_label,
                                    "tag_colour": segment.tag_colour})  # fmt: skip
        return _page(request, program, draft_from_definition(segment.definition, program.currency), form, segment)
    return _save(request, program, segment)


def _page(request: HttpRequest, program: Program, draft: DraftGroup, form: SegmentForm, segment: Segment | None,
          status: int = 200) -> HttpResponse:  # fmt: skip
    title = _("Change segment %(name)s") % {"name": segment.name} if segment else _("New segment")
    context = _context(program, draft, form=form, segment=segment, title=title)
    return render(request, "segments/builder.html", context, status=status)


def _save(request: HttpRequest, program: Program, segment: Segment | None) -> HttpResponseBase:
    draft = draft_from_post(request.POST)
    form = SegmentForm(request.POST)
    if not form.is_valid():
        return _page(request, program, draft, form, segment, status=400)
    data = form.segment_input(definition_from_draft(draft, program.currency))
    actor = hq_actor(request, program)
    try:
        if segment is None:
            segment = segment_create(program=program, data=data, actor=actor, now=now())
        else:
            segment = segment_update(segment=segment, data=data, actor=actor, now=now())
    except DomainError as exc:
        messages.error(request, exc.text())
        return _page(request, program, draft, form, segment, status=400)
    messages.success(request, _("Saved. Refresh the segment to take its members."))
    return redirect("console:segments:detail", segment_id=segment.public_id)


@require_POST
@console_view(Action.SEGMENT_MANAGE)
def count(request: HttpRequest) -> HttpResponse:
    program = program_of(request, Action.SEGMENT_MANAGE)
    return render(request, "segments/_count.html", _count(program, draft_from_post(request.POST)))


@require_POST
@console_view(Action.SEGMENT_MANAGE)
def rows(request: HttpRequest) -> HttpResponse:
    program = program_of(request, Action.SEGMENT_MANAGE)
    draft = draft_apply(draft_from_post(request.POST), request.POST.get("action", ""))
    return render(request, "segments/_rows.html", _context(program, draft, oob=True))

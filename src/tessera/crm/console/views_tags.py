"""The operations centre's tag list: the programme's manual tags with how many members carry each."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.crm.console.forms import TagForm, TagPickForm
from tessera.crm.console.views import viewer_merchant
from tessera.crm.errors import TagNotFound
from tessera.crm.models import Tag
from tessera.crm.selectors import programs_owned, tag_among, tags_with_counts
from tessera.crm.services import tag_create, tag_delete, tag_rename
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.programs.models import Program


def _owned(request: HttpRequest) -> list[Program]:
    return programs_owned(merchant_id=viewer_merchant(request))


@require_http_methods(["GET", "POST"])
@console_view(Action.PROGRAM_CONFIGURE)
def tags(request: HttpRequest) -> HttpResponseBase:
    """The list, and a new tag posted to it."""
    programs = _owned(request)
    data = request.POST if request.method == "POST" else None
    form = TagForm(data)
    chosen = _program_chosen(request, programs)
    if data is not None and form.is_valid() and chosen is not None:
        try:
            tag_create(program=chosen, name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                       actor=acting_of(request).actor(), now=now())  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.text())
        else:
            messages.success(request, _("The tag was created."))
            return redirect("console:crm:tags")
    context = {
        "title": _("Member tags"),
        "programs": programs,
        "tags": list(tags_with_counts(program_ids=[p.id for p in programs])),
        "form": form,
    }
    return render(request, "crm/tags.html", context, status=422 if data is not None else 200)


def _program_chosen(request: HttpRequest, programs: list[Program]) -> Program | None:
    """The programme a new tag is for: the one named in the form, or the only one the merchant runs."""
    if len(programs) == 1:
        return programs[0]
    wanted = request.POST.get("program", "")
    return next((p for p in programs if p.public_id == wanted), None)


def _tag_posted(request: HttpRequest) -> tuple[Tag | None, TagPickForm]:
    pick = TagPickForm(request.POST)
    if not pick.is_valid():
        return None, pick
    return tag_among(tag_id=pick.cleaned_data["tag"], program_ids=[p.id for p in _owned(request)]), pick


@require_POST
@console_view(Action.PROGRAM_CONFIGURE)
def tag_rename_view(request: HttpRequest) -> HttpResponse:
    tag, _pick = _tag_posted(request)
    form = TagForm(request.POST)
    try:
        if tag is None:
            raise TagNotFound()
        if not form.is_valid():
            messages.error(request, _("A tag name is 1 to 40 characters, and a description at most 200."))
            return redirect("console:crm:tags")
        tag_rename(tag=tag, name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                   actor=acting_of(request).actor(), now=now())  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, _("The tag was saved."))
    return redirect("console:crm:tags")


@require_POST
@console_view(Action.PROGRAM_CONFIGURE)
def tag_delete_view(request: HttpRequest) -> HttpResponse:
    tag, pick = _tag_posted(request)
    try:
        if tag is None:
            raise TagNotFound()
        detach = bool(pick.cleaned_data.get("detach"))
        detached = tag_delete(tag=tag, actor=acting_of(request).actor(), now=now(), detach=detach)
    except DomainError as exc:
        messages.error(request, exc.text())
    else:
        done = _("The tag was deleted and taken off %(count)s members.") % {"count": detached}
        messages.success(request, done if detached else _("The tag was deleted."))
    return redirect("console:crm:tags")

"""Profile writes of the console: editing attributes, revealing a sensitive one, putting tags on and off."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.audit.services import reveal_record
from tessera.crm.console.forms import ProfileForm, TagPickForm
from tessera.crm.console.views import profile_context, sees_sensitive, viewer_merchant
from tessera.crm.errors import TagNotFound
from tessera.crm.rules import SENSITIVE_FIELDS
from tessera.crm.selectors import attribute_value, profile_of, tag_among
from tessera.crm.services import member_tag_add, member_tag_remove, profile_update
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.members.console.views import member_for_request
from tessera.members.lifecycle import program_local_date
from tessera.members.models import Member
from tessera.programs.selectors import programs_for_merchant


@require_http_methods(["GET", "POST"])
@console_view(Action.MEMBER_UPDATE)
def profile_edit(request: HttpRequest, member_id: str) -> HttpResponseBase:
    member = member_for_request(request, member_id)
    sensitive = sees_sensitive(request, member)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, profile=profile_of(member), sensitive=sensitive)
    if data is not None and form.is_valid():
        try:
            profile_update(member=member, actor=acting_of(request).actor(), now=now(), fields=form.changes(),
                           separate_consent=bool(form.cleaned_data.get("separate_consent")))  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.text())
        else:
            messages.success(request, _("The member's profile was saved."))
            return redirect("console:crm:profile", member_id=member.public_id)
    context = {"form": form, "member": member, "title": _("Edit profile")}
    status = 422 if data is not None else 200
    return render(request, "crm/profile_form.html", context, status=status)


@require_POST
@console_view(Action.MEMBER_REVEAL)
def profile_reveal(request: HttpRequest, member_id: str) -> HttpResponse:
    """Show one sensitive attribute in full, after recording who saw which attribute of whom."""
    member = member_for_request(request, member_id)
    code = request.POST.get("field", "")
    if code not in SENSITIVE_FIELDS:
        return HttpResponseBadRequest()
    if not sees_sensitive(request, member):
        raise PermissionDenied("sensitive attributes stay with the card's merchant")
    value = attribute_value(member, profile_of(member), code, program_local_date(member.program, now()))
    reveal_record(actor=acting_of(request).actor(), object_type="member", object_id=member.public_id, field=code,
                  now=now())  # fmt: skip
    context = profile_context(request, member, revealed={code: value})
    if getattr(request, "htmx", False):
        row = next(r for r in context["rows"] if r.code == code)  # type: ignore[attr-defined]
        response = render(request, "crm/_attribute_value.html", {**context, "row": row})
    else:
        response = render(request, "crm/profile.html", context)
    patch_cache_control(response, no_store=True, private=True)  # the full value must not linger in a cache
    return response


def _tag_change(request: HttpRequest, member_id: str, *, add: bool) -> HttpResponse:
    member = member_for_request(request, member_id)
    form = TagPickForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    programs = [p.id for p in programs_for_merchant(merchant_id=viewer_merchant(request))]
    tag = tag_among(tag_id=form.cleaned_data["tag"], program_ids=programs)
    try:
        if tag is None:
            raise TagNotFound()
        change = member_tag_add if add else member_tag_remove
        change(member=member, tag=tag, actor=acting_of(request).actor(), now=now())
    except DomainError as exc:
        messages.error(request, exc.text())
    return _tags_answer(request, member)


def _tags_answer(request: HttpRequest, member: Member) -> HttpResponse:
    if getattr(request, "htmx", False):
        return render(request, "crm/_tags.html", profile_context(request, member))
    return redirect("console:crm:profile", member_id=member.public_id)


@require_POST
@console_view(Action.MEMBER_UPDATE)
def tag_add(request: HttpRequest, member_id: str) -> HttpResponse:
    return _tag_change(request, member_id, add=True)


@require_POST
@console_view(Action.MEMBER_UPDATE)
def tag_remove(request: HttpRequest, member_id: str) -> HttpResponse:
    return _tag_change(request, member_id, add=False)

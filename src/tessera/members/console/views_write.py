"""Member writes: enrolment, profile, status, closing, a new card code and reveals. One service call per view."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.audit.services import reveal_record
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.members.console.display import STATUS_DONE, personal_row
from tessera.members.console.forms import EnrolForm, ProfileForm, StatusForm
from tessera.members.console.views import member_for_request, member_page_context
from tessera.members.models import Member
from tessera.members.selectors import PersonalField, member_personal_value
from tessera.members.services import (
    member_card_code_rotate,
    member_enroll,
    member_history_sharing_set,
    member_status_set,
    member_update,
)
from tessera.programs.selectors import programs_for_merchant


@require_http_methods(["GET", "POST"])
@console_view(Action.MEMBER_ENROLL)
def member_create(request: HttpRequest) -> HttpResponseBase:
    acting = acting_of(request)
    assert acting.store is not None
    programs = programs_for_merchant(merchant_id=acting.store.merchant_id)
    data = request.POST if request.method == "POST" else None
    form = EnrolForm(data, programs=programs, store_id=acting.store.id, staff_id=acting.user.id, now=now())
    if data is not None and form.is_valid():
        try:
            outcome = member_enroll(
                program=form.cleaned_data["program"],
                profile=form.profile(),
                actor=acting.actor(),
                now=form.now,
                request_key=form.write_token.request_key,
            )
        except DomainError as exc:
            form.domain_error(exc)
        else:
            if outcome.replayed:
                messages.info(request, _("This enrolment was already recorded; nothing was saved twice."))
            else:
                messages.success(request, _("The member was enrolled."))
            return redirect("console:members:detail", member_id=outcome.body["member_id"])
    context = {"form": form, "title": _("Enrol a member"), "programs": programs}
    return render(request, "members/form.html", context)


@require_http_methods(["GET", "POST"])
@console_view(Action.MEMBER_UPDATE)
def member_edit(request: HttpRequest, member_id: str) -> HttpResponseBase:
    acting = acting_of(request)
    member = member_for_request(request, member_id)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, member=member)
    if data is not None and form.is_valid():
        try:
            member_update(member=member, profile=form.profile(), actor=acting.actor(), now=now())
        except DomainError as exc:
            form.add_error(None, exc.text())
        else:
            messages.success(request, _("The member's details were saved."))
            return redirect("console:members:detail", member_id=member.public_id)
    context = {"form": form, "member": member, "title": _("Edit member details")}
    return render(request, "members/form.html", context)


@require_POST
@console_view(Action.MEMBER_STATUS)
def member_status(request: HttpRequest, member_id: str) -> HttpResponse:
    """Freeze or unfreeze. Closing has its own action and view, as fewer roles may do it."""
    member = member_for_request(request, member_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid membership status."))
        return redirect("console:members:detail", member_id=member.public_id)
    return _status_set(request, member, target=form.cleaned_data["status"], reason=form.cleaned_data["reason"])


@require_POST
@console_view(Action.MEMBER_CLOSE)
def member_close(request: HttpRequest, member_id: str) -> HttpResponse:
    member = member_for_request(request, member_id)
    return _status_set(request, member, target=Member.Status.CLOSED, reason=request.POST.get("reason", "")[:200])


def _status_set(request: HttpRequest, member: Member, *, target: str, reason: str) -> HttpResponse:
    try:
        member_status_set(member=member, status=target, reason=reason, actor=acting_of(request).actor(), now=now())
    except DomainError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, str(STATUS_DONE[Member.Status(target)]))
    return redirect("console:members:detail", member_id=member.public_id)


@require_POST
@console_view(Action.MEMBER_CARD_CODE)
def member_card_code(request: HttpRequest, member_id: str) -> HttpResponse:
    """A new digital-card code, for a lost phone or a leaked screenshot: the old QR code stops working."""
    member = member_for_request(request, member_id)
    member_card_code_rotate(member=member, actor=acting_of(request).actor(), now=now())
    messages.success(request, _("A new card code was issued. The old QR code no longer works."))
    return redirect("console:members:detail", member_id=member.public_id)


@require_POST
@console_view(Action.MEMBER_UPDATE)
def member_history_sharing(request: HttpRequest, member_id: str) -> HttpResponse:
    """Record or withdraw the member's consent to share their purchase history with the alliance's partners."""
    member = member_for_request(request, member_id)
    share = request.POST.get("share") == "on"
    try:
        member_history_sharing_set(member=member, share=share, actor=acting_of(request).actor(), now=now())
    except DomainError as exc:
        messages.error(request, exc.text())
    else:
        done = _("Consent recorded: partners now see the member's purchases at every merchant.") if share else None
        messages.success(request, done or _("Consent withdrawn: each partner sees only its own transactions."))
    return redirect("console:members:detail", member_id=member.public_id)


@require_POST
@console_view(Action.MEMBER_REVEAL)
def member_reveal(request: HttpRequest, member_id: str) -> HttpResponse:
    """Show one personal field in full, after recording who saw which field of whom."""
    member = member_for_request(request, member_id)
    try:
        field = PersonalField(request.POST.get("field", ""))
    except ValueError:
        return HttpResponseBadRequest()
    value = member_personal_value(member, field)
    reveal_record(actor=acting_of(request).actor(), object_type="member", object_id=member.public_id,
                  field=field.value, now=now())  # fmt: skip
    if getattr(request, "htmx", False):
        context = {"member": member, "row": personal_row(member, field, value)}
        response = render(request, "members/_personal_value.html", context)
    else:
        viewer = acting_of(request).actor().merchant_id
        context_page = member_page_context(member, {field: value}, viewer_merchant_id=viewer)
        response = render(request, "members/detail.html", context_page)
    patch_cache_control(response, no_store=True, private=True)  # the full value must not linger in a cache
    return response

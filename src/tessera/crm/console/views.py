"""CRM pages about one member (the profile with its tags, the 360 view) and the programme's tag list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.crm.selectors import (
    member_tags,
    profile_of,
    profile_rows,
    purchases_by,
    purchases_page,
    tags_of_program,
)
from tessera.kit.clock import now
from tessera.members.console.views import member_for_request
from tessera.members.lifecycle import program_local_date
from tessera.members.models import Member
from tessera.members.selectors import history_merchant_for, member_balances, member_stats_get
from tessera.tiers.selectors import tier_progress_get

PURCHASES_PAGE_SIZE = 25


def viewer_merchant(request: HttpRequest) -> int:
    store = acting_of(request).store
    assert store is not None, "console_view makes sure a store is chosen"
    return store.merchant_id


def sees_sensitive(request: HttpRequest, member: Member) -> bool:
    """Who may reveal or set sensitive attributes: roles allowed to reveal personal data, at the card's own
    merchant. An alliance partner never sees them: the member gave them to the card's merchant, for its purposes."""
    return acting_of(request).allows(Action.MEMBER_REVEAL) and viewer_merchant(request) == member.program.owner_id


def profile_context(request: HttpRequest, member: Member, revealed: dict[str, str] | None = None) -> dict[str, object]:
    """The profile page: attributes (sensitive ones masked but for one just revealed), tags, tags to add."""
    today = program_local_date(member.program, now())
    carried = member_tags(member)
    carried_ids = {t.id for t in carried}
    return {
        "title": member.name,
        "member": member,
        "rows": profile_rows(member, profile_of(member), today=today, revealed=revealed),
        "may_reveal": sees_sensitive(request, member),
        "tags": carried,
        "addable": [t for t in tags_of_program(program_id=member.program_id) if t.id not in carried_ids],
    }


@require_GET
@console_view(Action.MEMBER_VIEW)
def profile(request: HttpRequest, member_id: str) -> HttpResponse:
    member = member_for_request(request, member_id)
    return render(request, "crm/profile.html", profile_context(request, member))


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


@require_GET
@console_view(Action.MEMBER_VIEW)
def member_360(request: HttpRequest, member_id: str) -> HttpResponse:
    """Who the member is and everything they bought: lines by brand, item, price, quantity and time, summed by
    brand and category. An alliance partner without the member's consent sees only its own stores' sales."""
    member = member_for_request(request, member_id)
    viewer = viewer_merchant(request)
    scope = history_merchant_for(member, viewer)
    at = now()
    today = program_local_date(member.program, at)
    tier = tier_progress_get(member_id=member.id, program_id=member.program_id, language=get_language() or "en",
                             today=today)  # fmt: skip
    page = purchases_page(member=member, merchant_id=scope, page=_page_number(request), size=PURCHASES_PAGE_SIZE)
    context = {
        "title": member.name,
        "member": member,
        "rows": profile_rows(member, profile_of(member), today=today),
        "tags": member_tags(member),
        "tier": tier.current.name if tier is not None else None,
        "balances": member_balances(member=member, merchant_id=viewer),
        "stats": member_stats_get(member=member) if scope is None else None,
        "scoped": scope is not None,
        "purchases": page,
        "by_brand": purchases_by(member=member, merchant_id=scope, field="brand"),
        "by_category": purchases_by(member=member, merchant_id=scope, field="category"),
        "program_timezone": member.program.timezone,
    }
    template = "crm/_purchases.html" if getattr(request, "htmx", False) else "crm/member_360.html"
    return render(request, template, context)

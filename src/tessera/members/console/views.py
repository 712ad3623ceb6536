"""Member pages: search, the member view (profile, card, balances, statistics, history) and history pages."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.kit.cards import card_code_payload
from tessera.members.console.display import STATUS_ACTIONS, history_items, personal_rows, qr_svg
from tessera.members.models import Member
from tessera.members.selectors import (
    PersonalField,
    history_merchant_for,
    member_balances,
    member_find,
    member_get_for_merchant,
    member_history_page,
    member_personal_masked,
    member_stats_get,
    member_top_categories,
)

HISTORY_PAGE_SIZE = 25
SEARCH_FORM_ID = "member-search"
QUERY_MAX_LENGTH = 64


def member_for_request(request: HttpRequest, member_id: str) -> Member:
    """The member with this public id, if the current store's merchant serves their programme; else 404."""
    store = acting_of(request).store
    assert store is not None
    member = member_get_for_merchant(merchant_id=store.merchant_id, reference=member_id)
    if member is None:
        raise Http404(member_id)
    return member


@require_GET
@console_view(Action.MEMBER_VIEW)
def member_search(request: HttpRequest) -> HttpResponseBase:
    store = acting_of(request).store
    assert store is not None
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    members = member_find(merchant_id=store.merchant_id, query=query) if query else []
    htmx = getattr(request, "htmx", None)
    # A typed search updates the list as the cashier types; a submitted one (Enter after a scan) opens the member.
    submitted = not htmx or htmx.trigger == SEARCH_FORM_ID
    if len(members) == 1 and submitted:
        url = reverse("console:members:detail", kwargs={"member_id": members[0].public_id})
        return HttpResponseClientRedirect(url) if htmx else redirect(url)
    is_htmx = bool(htmx)
    # Found by the full number the cashier typed, shown masked all the same.
    rows = [(m, member_personal_masked(m).phone) for m in members]
    template = "members/_results.html" if is_htmx else "members/search.html"
    return render(request, template, {"query": query, "rows": rows})


@require_GET
@console_view(Action.MEMBER_VIEW)
def member_detail(request: HttpRequest, member_id: str) -> HttpResponse:
    member = member_for_request(request, member_id)
    context = member_page_context(member, viewer_merchant_id=_viewer_merchant(request))
    return render(request, "members/detail.html", context)


def _viewer_merchant(request: HttpRequest) -> int:
    store = acting_of(request).store
    assert store is not None, "console_view makes sure a store is chosen"
    return store.merchant_id


def member_page_context(
    member: Member, revealed: dict[PersonalField, str] | None = None, *, viewer_merchant_id: int
) -> dict[str, object]:
    """The member page, personal data masked for every role but for the one field just revealed, if any.

    An alliance partner's staff see the member's transactions at their own stores only, and no statistics drawn
    from the others', unless the member consented to sharing (``history_merchant_for``).
    """
    scope = history_merchant_for(member, viewer_merchant_id)
    page = member_history_page(member=member, limit=HISTORY_PAGE_SIZE, merchant_id=scope)
    return {
        "title": member.name,
        "member": member,
        "personal": personal_rows(member, revealed),
        "locale_name": dict(settings.LANGUAGES).get(member.locale, member.locale),
        "balances": member_balances(member=member, merchant_id=viewer_merchant_id),
        "stats": member_stats_get(member=member) if scope is None else None,
        "categories": member_top_categories(member=member) if scope is None else [],
        "history": history_items(page),
        "next_before": page.next_before,
        "qr_svg": qr_svg(card_code_payload(member.card_code)),
        "status_actions": STATUS_ACTIONS[Member.Status(member.status)],
        # Consent to share with an alliance's partners: only the card's own merchant records it.
        "sharing": member.program.alliance_id is not None and viewer_merchant_id == member.program.owner_id,
    }


@require_GET
@console_view(Action.MEMBER_VIEW)
def member_history(request: HttpRequest, member_id: str) -> HttpResponse:
    member = member_for_request(request, member_id)
    try:
        before = int(request.GET["before"]) if request.GET.get("before") else None
    except ValueError as exc:
        raise Http404("bad page") from exc
    scope = history_merchant_for(member, _viewer_merchant(request))
    page = member_history_page(member=member, limit=HISTORY_PAGE_SIZE, before_id=before, merchant_id=scope)
    context = {"title": member.name, "member": member, "history": history_items(page), "next_before": page.next_before}
    template = "members/_history_rows.html" if getattr(request, "htmx", False) else "members/history.html"
    return render(request, template, context)

"""Purchase-cycle pages: the store's "due soon" list and a member's personal catalogue (rhythms and
recommendations, each with its reason)."""

from __future__ import annotations

import csv
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tessera.access.console.acting import acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.analytics.cycles import DUE_WITHIN_DAYS, OVERALL, DueMember, store_due
from tessera.analytics.recommendations import member_catalogue
from tessera.kit.clock import now
from tessera.members.console.views import member_for_request
from tessera.members.selectors import history_merchant_for
from tessera.stores.models import Store

DAYS_MAX = 366


def _store(request: HttpRequest) -> Store:
    store = acting_of(request).store
    assert store is not None, "console_view makes sure a store is chosen"
    return store


def _days(raw: str | None) -> tuple[int, str]:
    """The window asked for (``?days=``), or the default and a message saying why it was not used."""
    if raw in (None, ""):
        return DUE_WITHIN_DAYS, ""
    if raw.isdigit() and 1 <= int(raw) <= DAYS_MAX:
        return int(raw), ""
    return DUE_WITHIN_DAYS, _("The number of days must be a whole number from 1 to %(max)s; showing %(days)s.") % {
        "max": DAYS_MAX, "days": DUE_WITHIN_DAYS,
    }  # fmt: skip


@require_GET
@console_view(Action.STORE_REPORT)
def due_list(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    days, problem = _days(request.GET.get("days"))
    rows = store_due(store=store, now=now(), within_days=days)
    if request.GET.get("format") == "csv" and not problem:
        return _csv(rows, store, days)
    context = {"title": _("Members due soon"), "store": store, "days": days, "problem": problem, "rows": rows,
               "overall": OVERALL, "days_max": DAYS_MAX}  # fmt: skip
    return render(request, "analytics/cycles/due.html", context)


def _csv(rows: list[DueMember], store: Store, days: int) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="due-{store.code}-{days}d.csv"'
    writer = csv.writer(response)
    writer.writerow(["member_id", "name", "category", "last_purchase_on", "next_expected_on", "days_until",
                     "interval_days", "regularity", "state"])  # fmt: skip
    for row in rows:
        cycle = row.rhythm.cycle
        writer.writerow([row.member_id, row.name, row.rhythm.category or "*", cycle.last_on.isoformat(),
                         cycle.next_on.isoformat(), row.rhythm.days_until, cycle.interval_days,
                         cycle.regularity.value, row.rhythm.state.value])  # fmt: skip
    return response


@require_GET
@console_view(Action.MEMBER_VIEW)
def member_recommendations(request: HttpRequest, member_id: str) -> HttpResponse:
    member = member_for_request(request, member_id)  # 404 for a member the store's merchant does not serve
    store = _store(request)
    catalogue = member_catalogue(member=member, zone=ZoneInfo(store.timezone), now=now(),
                                 merchant_id=history_merchant_for(member, store.merchant_id),
                                 language=get_language() or "en")  # fmt: skip
    context = {"title": _("Personal catalogue"), "member": member, "store": store, "catalogue": catalogue,
               "overall": OVERALL}  # fmt: skip
    return render(request, "analytics/cycles/recommendations.html", context)

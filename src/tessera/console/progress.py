"""The member page's progress panel, loaded into the page by HTMX as a fragment.

It lives here, above the programme areas, because the member page belongs to ``members``, which the tiers,
gift ladders and points are built on and so cannot read. The reads are the same as
``GET /api/v1/members/{ref}/progress``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.kit.clock import now
from tessera.members.console.views import member_for_request
from tessera.members.models import Member
from tessera.points.selectors import points_expiring_get, points_expiring_window_days
from tessera.rewards.selectors import gift_ladder_progress, reward_grant_list_open, step_name
from tessera.tiers.rules import COUNTER_OF, Measure
from tessera.tiers.rules.windows import local_date
from tessera.tiers.selectors import tier_progress_get


def member_progress_panel(*, member: Member, now: datetime, language: str) -> dict[str, Any]:
    """Tier, this month's gift ladders, open gifts and points expiring soon, names in ``language``."""
    program = member.program
    today = local_date(now, program.timezone)  # tier windows and gift months run on the programme's calendar
    tier = tier_progress_get(member_id=member.id, program_id=program.id, language=language, today=today)
    within_days = points_expiring_window_days(program=program)
    return {
        "tier": tier,
        "measure_label": Measure(tier.measure).label if tier else "",
        # Spend and stored-value ladders count minor units, shown as money; the others count points or visits.
        "in_money": tier is not None and COUNTER_OF[tier.measure].endswith("_minor"),
        "ladders": gift_ladder_progress(member=member, now=now),
        "gifts": [(grant, step_name(grant.step)) for grant in reward_grant_list_open(member=member, now=now)],
        "expiring": points_expiring_get(member_id=member.id, now=now, within_days=within_days),
        "currency": program.currency,
        "timezone": program.timezone,
    }


@require_GET
@console_view(Action.MEMBER_VIEW)
def member_progress(request: HttpRequest, member_id: str) -> HttpResponse:
    member = member_for_request(request, member_id)  # 404 for a member the store's merchant does not serve
    progress = member_progress_panel(member=member, now=now(), language=get_language() or "en")
    return render(request, "members/_progress_panel.html", {"progress": progress})

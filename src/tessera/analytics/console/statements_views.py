"""A member's value statement in the console: to read to the member at the till, or to print and hand over.

The figures and labels are in the staff member's language; the message texts below them in the member's own,
as the engagement capability would send them.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.analytics.statements import value_statement
from tessera.analytics.statements_text import statement_render
from tessera.kit.clock import now
from tessera.members.console.views import member_for_request


@require_GET
@console_view(Action.MEMBER_VIEW)
def member_statement(request: HttpRequest, member_id: str) -> HttpResponse:
    member = member_for_request(request, member_id)  # 404 for a member the store's merchant does not serve
    today = now().astimezone(ZoneInfo(member.program.timezone)).date()
    statement = value_statement(member, today=today)
    context = {
        "title": _("Value statement: %(name)s") % {"name": member.name},
        "member": member,
        "s": statement,
        "message": statement_render(statement),
    }
    return render(request, "analytics/statements/statement.html", context)

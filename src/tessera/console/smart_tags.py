"""The member page's smart tags, loaded into the page by HTMX as a fragment.

Here, above the areas, for the reason ``progress.py`` gives: the member page belongs to ``members``, and the
smart tags are saved segments (``segments``), an area built on members.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.members.console.views import member_for_request
from tessera.segments.selectors import member_smart_tags


@require_GET
@console_view(Action.MEMBER_VIEW)
def member_smart_tags_fragment(request: HttpRequest, member_id: str) -> HttpResponse:
    member = member_for_request(request, member_id)  # 404 for a member the store's merchant does not serve
    return render(request, "console/_smart_tags.html", {"smart_tags": member_smart_tags(member)})

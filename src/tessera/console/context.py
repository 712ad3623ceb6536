"""Template context for every console page: who acts where, and which actions the navigation may offer."""

from __future__ import annotations

from django.http import HttpRequest

from tessera.access.console.acting import acting_get
from tessera.access.rules import Action
from tessera.settlement.selectors import alliance_cards


def console_context(request: HttpRequest) -> dict[str, object]:
    acting = acting_get(request)
    if acting is None:
        return {"acting": None, "can": {}}
    # ``can.sale``, ``can.store_report``...: the navigation shows only what the guard would let through.
    can = {action.name.lower(): acting.allows(action) for action in Action}
    # Alliance pages stand above any store, so their link needs none. A callable: the template asks only when it
    # draws the navigation, and the question costs no query for roles that can read no alliance.
    return {"acting": acting, "current_store": acting.store, "can": can,
            "sees_alliances": lambda: bool(alliance_cards(acting.scope))}  # fmt: skip

"""Template context for every console page: who acts where, and which actions the navigation may offer."""

from __future__ import annotations

from django.http import HttpRequest

from tessera.access.console.acting import acting_get
from tessera.access.rules import Action


def console_context(request: HttpRequest) -> dict[str, object]:
    acting = acting_get(request)
    if acting is None:
        return {"acting": None, "can": {}}
    # ``can.sale``, ``can.store_report``...: the navigation shows only what the guard would let through.
    can = {action.name.lower(): acting.allows(action) for action in Action}
    return {"acting": acting, "current_store": acting.store, "can": can}

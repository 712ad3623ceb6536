"""The one permission check of the staff console.

Every console view is wrapped in ``console_view(Action.X)``: the staff member must be signed in, must have
chosen a store, and the permission matrix (``scope_allows``) must allow ``X`` at that store. Anything else is
a redirect to sign in or to choose a store, or a 403. Views never check permissions themselves.

A page above any store (an alliance's settlement) is ``console_view(Action.X, store=False)``: no store need be
chosen and the role must allow ``X``; the page finds what it shows only through a selector that takes the scope,
which answers nothing (404) outside it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, resolve_url
from django.utils.http import urlencode

from tessera.access.console.acting import acting_get
from tessera.access.rules import Action, role_allows

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]

STORE_SELECT_URL = "console:store-select"


def console_view(action: Action | None, *, store: bool = True) -> Callable[[View[P]], View[P]]:
    """Allow the view only to signed-in staff whose scope allows ``action`` at their current store.

    ``None`` asks only for a signed-in staff member (the store choice and the home page). ``store=False`` asks for
    no store, only a role that allows ``action``: for pages whose selector applies the scope itself.
    """

    def decorate(view: View[P]) -> View[P]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            acting = acting_get(request)
            if acting is None:
                return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
            if action is None:
                return view(request, *args, **kwargs)
            if not store:
                if not (acting.scope.is_platform_admin or role_allows(acting.scope.role, action)):
                    raise PermissionDenied(action.value)
                return view(request, *args, **kwargs)
            if acting.store is None:
                target = resolve_url(STORE_SELECT_URL)
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
            if not acting.allows(action):
                raise PermissionDenied(action.value)
            return view(request, *args, **kwargs)

        guarded.console_action = action  # type: ignore[attr-defined]
        guarded.console_needs_store = store  # type: ignore[attr-defined]
        return guarded

    return decorate

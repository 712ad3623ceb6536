"""Console middleware: sign out idle staff, and load the store a staff member acts as.

Both run after Django's authentication middleware. ``IdleTimeoutMiddleware`` ends a session that saw no request
for ``TESSERA_SESSION_IDLE_SECONDS``, or that began more than ``SESSION_COOKIE_AGE`` ago.
``CurrentStoreMiddleware`` reads the chosen store from the session and refuses (403) a store that is inactive or
no longer in the staff member's scope.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from tessera.access.console.acting import SESSION_STORE_KEY, Acting, acting_set
from tessera.access.models import StaffUser
from tessera.checkout.selectors import store_get_active
from tessera.kit.clock import now

LAST_SEEN_KEY = "console_last_seen"
STARTED_KEY = "console_started"
# Writing the session on every request would cost a database write per click; a quarter-minute of slack on a
# thirty-minute timeout is not worth that.
LAST_SEEN_RESOLUTION_SECONDS = 15

Handler = Callable[[HttpRequest], HttpResponse]


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        seen_at = int(now().timestamp())
        session = request.session
        last = session.get(LAST_SEEN_KEY)
        started = session.setdefault(STARTED_KEY, seen_at)
        # Django's own expiry slides with every session write, so the absolute limit is checked here too.
        idle = isinstance(last, int) and seen_at - last > settings.TESSERA_SESSION_IDLE_SECONDS
        if idle or seen_at - int(started) > settings.SESSION_COOKIE_AGE:
            logout(request)
            if idle:
                messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
            else:
                messages.info(request, _("Your session reached its time limit. Please sign in again."))
            return _to_login(request)
        if not isinstance(last, int) or seen_at - last >= LAST_SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN_KEY] = seen_at
        return self.get_response(request)


def _to_login(request: HttpRequest) -> HttpResponse:
    login_url = resolve_url(settings.LOGIN_URL)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(login_url)
    return redirect_to_login(request.get_full_path(), login_url)


class CurrentStoreMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not isinstance(user, StaffUser):
            acting_set(request, None)
            return self.get_response(request)
        acting = Acting(user=user, scope=user.scope(), store=None)
        store_id = request.session.get(SESSION_STORE_KEY)
        if store_id is not None:
            store = store_get_active(store_id=int(store_id))
            if store is None or not acting.covers(store):
                # Never a legitimate state: a forged session, or an assignment revoked since the choice.
                # Forget the choice so the next request asks again, and refuse this one.
                del request.session[SESSION_STORE_KEY]
                raise PermissionDenied("store not in scope")
            acting = Acting(user=user, scope=acting.scope, store=store)
        acting_set(request, acting)
        return self.get_response(request)

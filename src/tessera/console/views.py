"""Shared console pages: sign in and out, choosing the store to act as, and the home page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tessera.access.console.acting import SESSION_STORE_KEY, acting_of
from tessera.access.console.guard import console_view
from tessera.access.rules import Action
from tessera.checkout.selectors import store_list_in_scope
from tessera.settlement.selectors import alliance_cards


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Sign in")}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Staff who chose a language keep it across devices: the login sets the language cookie.
        user = form.get_user()
        language = getattr(user, "preferred_language", "")
        if language in dict(settings.LANGUAGES):
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "console:login"


def _safe_next(request: HttpRequest, default: str = "console:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@require_http_methods(["GET", "POST"])
@console_view(None)
def store_select(request: HttpRequest) -> HttpResponseBase:
    """Choose the store to act as, among those in scope; a staff member with a single store skips the choice, and
    one who reaches no store but an alliance is sent to the alliance."""
    acting = acting_of(request)
    stores = store_list_in_scope(scope=acting.scope)
    if request.method == "POST":
        wanted = request.POST.get("store", "")
        chosen = next((s for s in stores if s.public_id == wanted), None)
        if chosen is None:
            raise PermissionDenied("store not in scope")
        request.session[SESSION_STORE_KEY] = chosen.id
        return redirect(_safe_next(request))
    if len(stores) == 1 and acting.store is None:
        request.session[SESSION_STORE_KEY] = stores[0].id
        return redirect(_safe_next(request))
    if not stores and alliance_cards(acting.scope):
        # An alliance administrator acts at no store, ever: their console is the alliance's pages.
        return redirect("console:settlement:alliances")
    context = {"stores": stores, "next": _safe_next(request, default=""), "title": _("Choose your store")}
    return render(request, "console/store_select.html", context)


@require_http_methods(["GET"])
@console_view(Action.MEMBER_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {"title": _("Home")})

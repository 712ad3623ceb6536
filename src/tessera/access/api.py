"""API authentication for headquarters tools: ``Authorization: Bearer tst_...`` staff tokens."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja.security import HttpBearer

from tessera.access.models import StaffUser
from tessera.access.rules import Action, scope_allows
from tessera.access.selectors import staff_token_authenticate
from tessera.access.terminals import ActionForbidden
from tessera.kit.clock import now


@dataclass(frozen=True, slots=True)
class StaffAuth:
    user: StaffUser

    def require(self, action: Action, *, store_id: int, store_merchant_id: int) -> None:
        """:raises ActionForbidden: the staff member may not do ``action`` for that store's merchant."""
        if not scope_allows(self.user.scope(), action, store_id=store_id, store_merchant_id=store_merchant_id):
            raise ActionForbidden()


class StaffBearer(HttpBearer):
    openapi_description = "A staff API token for headquarters tools: `Authorization: Bearer tst_...`."

    def authenticate(self, request: HttpRequest, token: str) -> StaffAuth:
        return StaffAuth(staff_token_authenticate(token, now=now()))


STAFF_AUTH = [StaffBearer()]


def staff_of(request: HttpRequest) -> StaffAuth:
    auth = request.auth  # type: ignore[attr-defined]
    assert isinstance(auth, StaffAuth)
    return auth

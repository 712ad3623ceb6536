"""The staff member, their scope and the store they act as, for one console request.

``CurrentStoreMiddleware`` builds an ``Acting`` from the session on every request; views read it with
``acting_of``. The store a staff member acts as lives in the session under ``SESSION_STORE_KEY`` and is
checked against their scope on every request, so a revoked assignment takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from tessera.access.models import StaffUser
from tessera.access.rules import Action, Scope, scope_allows, scope_covers_store
from tessera.kit.actor import Actor
from tessera.stores.models import Store

SESSION_STORE_KEY = "console_store_id"
REQUEST_ATTRIBUTE = "tessera_acting"


@dataclass(frozen=True, slots=True)
class Acting:
    """A signed-in staff member and, once chosen, the store they act as."""

    user: StaffUser
    scope: Scope
    store: Store | None

    def allows(self, action: Action) -> bool:
        """Whether the staff member may do ``action`` at the store they act as."""
        if self.store is None:
            return False
        return scope_allows(self.scope, action, store_id=self.store.id, store_merchant_id=self.store.merchant_id)

    def covers(self, store: Store) -> bool:
        return scope_covers_store(self.scope, store_id=store.id, store_merchant_id=store.merchant_id)

    def actor(self) -> Actor:
        """The actor that services record: this staff member at the current store."""
        assert self.store is not None, "a console write needs a current store"
        return Actor(
            store_id=self.store.id,
            merchant_id=self.store.merchant_id,
            currency=self.store.currency,
            staff_id=self.user.id,
            label=self.user.get_username(),
        )


def acting_of(request: HttpRequest) -> Acting:
    acting = getattr(request, REQUEST_ATTRIBUTE, None)
    assert isinstance(acting, Acting), "CurrentStoreMiddleware must run before console views"
    return acting


def acting_set(request: HttpRequest, acting: Acting | None) -> None:
    setattr(request, REQUEST_ATTRIBUTE, acting)


def acting_get(request: HttpRequest) -> Acting | None:
    """The acting context when a staff member is signed in, else None (login page, anonymous requests)."""
    acting = getattr(request, REQUEST_ATTRIBUTE, None)
    return acting if isinstance(acting, Acting) else None

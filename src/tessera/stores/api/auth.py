"""API authentication for POS terminals: ``Authorization: Bearer tsk_...`` or ``X-Api-Key: tsk_...``."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from tessera.kit.actor import Actor
from tessera.stores.errors import WrongStore
from tessera.stores.models import Store, Terminal
from tessera.stores.selectors import terminal_key_authenticate


@dataclass(frozen=True, slots=True)
class TerminalAuth:
    terminal: Terminal

    @property
    def store(self) -> Store:
        return self.terminal.store

    def actor_for(self, store_code: str | None) -> Actor:
        """The actor for a request naming ``store_code``; a key only ever acts as its own store.

        :raises WrongStore: the body names another store.
        """
        store = self.terminal.store
        if store_code is not None and store_code != store.code:
            raise WrongStore(store=store_code)
        return Actor(
            store_id=store.id,
            merchant_id=store.merchant_id,
            currency=store.currency,
            terminal_id=self.terminal.id,
            label=str(self.terminal),
        )


def _authenticate(raw: str | None) -> TerminalAuth:
    # A present but bad key raises InvalidApiKey (401 with its code); no key at all falls through to the next
    # scheme and finally to ninja's AuthenticationError, which the API maps to the same 401.
    return TerminalAuth(terminal_key_authenticate(raw))


class TerminalBearer(HttpBearer):
    openapi_description = "A terminal API key: `Authorization: Bearer tsk_...`."

    def authenticate(self, request: HttpRequest, token: str) -> TerminalAuth:
        return _authenticate(token)


class TerminalApiKey(APIKeyHeader):
    param_name = "X-Api-Key"
    openapi_description = "A terminal API key in the `X-Api-Key` header."

    def authenticate(self, request: HttpRequest, key: str | None) -> TerminalAuth:
        return _authenticate(key)


TERMINAL_AUTH = [TerminalBearer(), TerminalApiKey()]


def terminal_of(request: HttpRequest) -> TerminalAuth:
    auth = request.auth  # type: ignore[attr-defined]
    assert isinstance(auth, TerminalAuth)
    return auth

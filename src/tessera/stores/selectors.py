"""Reads: authenticating a terminal key, and store lookups."""

from __future__ import annotations

import hashlib
import hmac

from tessera.stores.errors import InvalidApiKey
from tessera.stores.models import KEY_PREFIX, Store, Terminal, TerminalKey


def terminal_key_authenticate(raw: str | None) -> Terminal:
    """The active terminal behind ``raw``, with its store and merchant loaded.

    :raises InvalidApiKey: malformed, unknown, revoked, or the terminal or store is inactive; one answer for all.
    """
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 128:
        raise InvalidApiKey()
    lookup, _, secret = raw[len(KEY_PREFIX) :].partition("_")
    key = (
        TerminalKey.objects.select_related("terminal__store__merchant")
        .filter(lookup=lookup, revoked_at__isnull=True)
        .first()
    )
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if key is None or not hmac.compare_digest(digest, key.secret_sha256):
        raise InvalidApiKey()
    terminal = key.terminal
    if not terminal.is_active or not terminal.store.is_active:
        raise InvalidApiKey()
    return terminal


def store_get_by_code(*, merchant_id: int, code: str) -> Store | None:
    return Store.objects.select_related("merchant").filter(merchant_id=merchant_id, code=code).first()


def store_list_for_merchant(*, merchant_id: int) -> list[Store]:
    return list(Store.objects.filter(merchant_id=merchant_id).order_by("code"))

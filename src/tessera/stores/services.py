"""Creating merchants, stores and terminals, and issuing and revoking terminal API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from tessera.kit.db import use_case
from tessera.stores.errors import StoreSetupInvalid
from tessera.stores.models import KEY_PREFIX, Merchant, Store, Terminal, TerminalKey


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: TerminalKey
    secret: str  # shown once to whoever installs the POS; only its hash is stored


def merchant_create(*, name: str, country: str, timezone: str, currency: str) -> Merchant:
    merchant = Merchant(name=name, country=country.upper(), timezone=timezone, currency=currency.upper())
    _validate(merchant)
    with use_case():
        merchant.save()
        Store.objects.create(
            merchant=merchant,
            code="HQ",
            name=name,
            kind=Store.Kind.HEADQUARTERS,
            timezone=merchant.timezone,
            currency=merchant.currency,
        )
    return merchant


def store_create(
    *, merchant: Merchant, code: str, name: str, timezone: str | None = None, currency: str | None = None
) -> Store:
    store = Store(
        merchant=merchant,
        code=code,
        name=name,
        timezone=timezone or merchant.timezone,
        currency=(currency or merchant.currency).upper(),
    )
    _validate(store)
    with use_case():
        store.save()
    return store


def terminal_create(*, store: Store, name: str) -> Terminal:
    terminal = Terminal(store=store, name=name)
    _validate(terminal)
    with use_case():
        terminal.save()
    return terminal


def terminal_key_issue(*, terminal: Terminal, label: str = "") -> IssuedKey:
    """Issue a new key: ``tsk_<lookup>_<secret>``. The lookup finds the row, the secret proves possession."""
    lookup = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with use_case():
        key = TerminalKey.objects.create(terminal=terminal, lookup=lookup, secret_sha256=_digest(secret), label=label)
    return IssuedKey(key=key, secret=f"{KEY_PREFIX}{lookup}_{secret}")


def terminal_key_revoke(*, key: TerminalKey, now: datetime) -> None:
    with use_case():
        TerminalKey.objects.filter(id=key.id, revoked_at__isnull=True).update(revoked_at=now)
    # This process stops accepting the key at once; others within selectors.KEY_CACHE_SECONDS.
    _key_cache_forget(key.lookup)


def _key_cache_forget(lookup: str) -> None:
    from tessera.stores.selectors import _key_cache

    for raw in [raw for raw in _key_cache if raw.startswith(f"{KEY_PREFIX}{lookup}_")]:
        _key_cache.pop(raw, None)


def _digest(secret: str) -> str:
    # The secret has 256 bits of entropy, so a plain SHA-256 is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def _validate(instance: Merchant | Store | Terminal) -> None:
    try:
        instance.full_clean(validate_unique=True)
    except ValidationError as exc:
        raise StoreSetupInvalid(reason="; ".join(exc.messages)) from exc

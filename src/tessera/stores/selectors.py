"""Reads: authenticating a terminal key, and store lookups."""

from __future__ import annotations

import hashlib
import hmac
import time

from tessera.kit.actor import Actor
from tessera.kit.db import Read, columns_of, model_from_row, sql_rows
from tessera.stores.errors import InvalidApiKey
from tessera.stores.models import KEY_PREFIX, Store, Terminal, TerminalKey

# Keys are checked on every API request. A process remembers a good key for a few seconds; revoking a key
# forgets it here at once, and other processes stop accepting it within KEY_CACHE_SECONDS.
KEY_CACHE_SECONDS = 15.0
_key_cache: dict[str, tuple[float, Terminal]] = {}


def terminal_key_cache_clear(raw: str | None = None) -> None:
    if raw is None:
        _key_cache.clear()
    else:
        _key_cache.pop(raw, None)


def terminal_key_authenticate(raw: str | None) -> Terminal:
    """The active terminal behind ``raw``, served from the short cache when fresh.

    :raises InvalidApiKey: malformed, unknown, revoked, or the terminal or store is inactive; one answer for all.
    """
    if raw and (hit := _key_cache.get(raw)) is not None and hit[0] > time.monotonic():
        return hit[1]
    terminal = _terminal_key_check(raw)
    if len(_key_cache) > 10_000:  # a flood of distinct keys must not grow the cache without bound
        _key_cache.clear()
    _key_cache[raw or ""] = (time.monotonic() + KEY_CACHE_SECONDS, terminal)
    return terminal


def _terminal_key_check(raw: str | None) -> Terminal:
    """The active terminal behind ``raw``, with its store loaded.

    :raises InvalidApiKey: malformed, unknown, revoked, or the terminal or store is inactive; one answer for all.
    """
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 128:
        raise InvalidApiKey()
    lookup, _, secret = raw[len(KEY_PREFIX) :].partition("_")
    # Every API request passes here, so it is one plain statement, not an ORM query built per call.
    rows = sql_rows(
        f"SELECT k.secret_sha256, {columns_of(Terminal, 't')}, {columns_of(Store, 's')}"  # noqa: S608
        f" FROM {TerminalKey._meta.db_table} k JOIN {Terminal._meta.db_table} t ON t.id = k.terminal_id"
        f" JOIN {Store._meta.db_table} s ON s.id = t.store_id"
        " WHERE k.lookup = %s AND k.revoked_at IS NULL AND t.is_active AND s.is_active",
        [lookup],
    )
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if not rows or not hmac.compare_digest(digest, rows[0][0]):
        raise InvalidApiKey()
    terminal = model_from_row(rows[0][1 : 1 + _TERMINAL_WIDTH], Terminal)
    terminal.store = model_from_row(rows[0][1 + _TERMINAL_WIDTH :], Store)
    return terminal


_TERMINAL_WIDTH = len(Terminal._meta.concrete_fields)


def store_get_by_code(*, merchant_id: int, code: str) -> Store | None:
    return Store.objects.select_related("merchant").filter(merchant_id=merchant_id, code=code).first()


def store_timezone_read(*, store_id: int) -> Read[str]:
    """The store's IANA time zone, as a read to send with others: what "local time at the till" means there.

    Read with the sale rather than cached, so it costs no round trip of its own and a corrected zone applies to
    the very next sale.
    """
    table = Store._meta.db_table
    return Read(f"SELECT timezone FROM {table} WHERE id = %s", [store_id], lambda rows: str(rows[0][0]))  # noqa: S608


def store_list_for_merchant(*, merchant_id: int) -> list[Store]:
    return list(Store.objects.filter(merchant_id=merchant_id).order_by("code"))


def headquarters_get(*, merchant_id: int) -> Store:
    """The merchant's headquarters store, made with the merchant: where programme set-up and jobs act from."""
    return Store.objects.get(merchant_id=merchant_id, kind=Store.Kind.HEADQUARTERS)


def headquarters_actor(*, merchant_id: int, staff_id: int | None = None, system: str = "", label: str = "") -> Actor:
    """An actor at the merchant's headquarters: a staff member (``staff_id``) or a named system (``system``)."""
    hq = headquarters_get(merchant_id=merchant_id)
    return Actor(store_id=hq.id, merchant_id=merchant_id, currency=hq.currency, staff_id=staff_id, system=system,
                 label=label)  # fmt: skip

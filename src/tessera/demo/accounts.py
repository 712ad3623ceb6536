"""Demo staff accounts and terminal API keys, and how the demo shows them on start.

The demo password is derived from the installation's ``SECRET_KEY``: stable across restarts, so it can be printed
again on every start without being stored, yet different on every installation, so a demo that is reachable
from a network is not open with a password printed in a public repository.

A terminal key's secret is shown once when issued and only its hash is kept, so the demo keeps the secrets it
issued in ``.tessera-demo-keys`` (mode 0600) beside ``.tessera-secret`` to print them again. A saved key that no
longer opens its terminal (a new database, a revoked key) is revoked and replaced.
"""

from __future__ import annotations

import base64
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import check_password, make_password
from django.utils.crypto import salted_hmac

from tessera.access.models import StaffUser
from tessera.demo.markets import MARKETS, Market
from tessera.demo.partners import ALLIANCE_ADMIN_USERNAME, ALLIANCE_MARKET, ALLIANCE_NAME, PARTNERS, Partner
from tessera.kit.clock import now
from tessera.stores.errors import InvalidApiKey
from tessera.stores.models import Alliance, Merchant, Store, Terminal, TerminalKey
from tessera.stores.selectors import terminal_key_authenticate
from tessera.stores.services import terminal_key_issue, terminal_key_revoke

KEYS_FILE = ".tessera-demo-keys"
KEY_LABEL = "demo"
TERMINAL_NAME = "POS-1"
HQ = "HQ"
ALLIANCE = "ALLIANCE"  # where the alliance administrator works: above every store, at none
CASHIER, MANAGER, ADMIN, ALLIANCE_ADMIN = (
    StaffUser.RoleChoice.CASHIER,
    StaffUser.RoleChoice.STORE_MANAGER,
    StaffUser.RoleChoice.HQ_ADMIN,
    StaffUser.RoleChoice.ALLIANCE_ADMIN,
)


def demo_password() -> str:
    """``demo-xxxx-xxxx-xxxx-xxxx``: 80 bits from an HMAC of ``SECRET_KEY``; passes Django's password validators."""
    digest = salted_hmac("tessera.demo.staff-password", "v1").digest()
    code = base64.b32encode(digest).decode().lower()[:16]
    return "demo-" + "-".join(code[i : i + 4] for i in range(0, 16, 4))


def staff_usernames(market: Market) -> list[tuple[str, str, str]]:
    """(username, role, store code) for the market's demo staff: an admin, then a manager and a cashier per store."""
    rows = [(f"{market.slug}.admin", ADMIN.value, HQ)]
    for store in market.stores:
        rows.append((f"{store.code.lower()}.manager", MANAGER.value, store.code))
        rows.append((f"{store.code.lower()}.cashier", CASHIER.value, store.code))
    return rows


def partner_usernames(partner: Partner) -> list[tuple[str, str, str]]:
    """(username, role, store code) for an alliance partner's demo staff: an admin, then a cashier per store."""
    return [(f"{partner.slug}.admin", ADMIN.value, HQ)] + [
        (f"{store.code.lower()}.cashier", CASHIER.value, store.code) for store in partner.stores
    ]


def alliance_usernames() -> list[tuple[str, str, str]]:
    """The alliance's administrator, one of the operator's staff."""
    return [(ALLIANCE_ADMIN_USERNAME, ALLIANCE_ADMIN.value, ALLIANCE)]


def staff_create(
    *,
    rng: random.Random,
    market: Market,
    merchant: Merchant,
    stores: dict[str, Store],
    rows: list[tuple[str, str, str]] | None = None,
    alliance: Alliance | None = None,
) -> dict[tuple[str, str], StaffUser]:
    """Create the market's staff (or ``rows``), keyed by (store code, role); the admin is keyed by (``HQ``,
    hq_admin), the alliance's administrator, who reads ``alliance``, by (``ALLIANCE``, alliance_admin).

    Every demo account shares one password, so it is hashed once (a PBKDF2 hash costs a third of a second).
    """
    encoded = _password_hash()
    created = {}
    for username, role, code in staff_usernames(market) if rows is None else rows:
        full = market.population.name(rng, rng.choice(["female", "male"]))
        user = StaffUser.objects.create(
            username=username,
            password=encoded,
            first_name=full[1:],
            last_name=full[0],
            role=role,
            merchant=merchant,
            alliance=alliance if role == ALLIANCE_ADMIN.value else None,
        )
        if code in stores:
            user.stores.add(stores[code])
        created[code, role] = user
    return created


_hashes: dict[str, str] = {}


def _password_hash() -> str:
    password = demo_password()
    if password not in _hashes:
        _hashes[password] = make_password(password)
    return _hashes[password]


@dataclass(frozen=True, slots=True)
class AccountRow:
    username: str
    password: str
    role: str
    store: str


def staff_accounts() -> list[AccountRow]:
    """The demo staff accounts that exist, with the demo password, or a note where it was changed since."""
    password = demo_password()
    verified: str | None = None
    rows = []
    for merchant, wanted in _demo_staff():
        users = {u.username: u for u in StaffUser.objects.filter(username__in=[w[0] for w in wanted])}
        stores = {s.code: s for s in Store.objects.filter(merchant__name=merchant)}
        for username, role, code in wanted:
            user = users.get(username)
            if user is None:
                continue
            # One slow hash check at most, then plain comparison: the demo accounts share one stored hash.
            if verified is None and (user.password == _hashes.get(password) or check_password(password, user.password)):
                verified = user.password
            shown = password if user.password == verified else "(changed since the demo was loaded)"
            rows.append(AccountRow(username, shown, role, _where(merchant, code, stores.get(code))))
    return rows


def _demo_staff() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Each demo merchant's name and staff, the alliance's partners and administrator after its operator."""
    groups = []
    for market in MARKETS:
        groups.append((market.merchant, staff_usernames(market)))
        if market is ALLIANCE_MARKET:
            groups += [(partner.merchant, partner_usernames(partner)) for partner in PARTNERS]
            groups.append((market.merchant, alliance_usernames()))
    return groups


def _where(merchant: str, code: str, store: Store | None) -> str:
    if code == ALLIANCE:
        return f"{ALLIANCE_NAME}: the alliance's statements, no store"
    return f"{merchant}: every store" if code == HQ or store is None else f"{code} {store.name}"


def demo_merchant_names() -> list[str]:
    return [m.merchant for m in MARKETS] + [p.merchant for p in PARTNERS]


@dataclass(frozen=True, slots=True)
class KeyRow:
    merchant_id: int
    store_code: str
    store_name: str
    terminal: str
    key: str


def terminal_keys(*, path: Path) -> list[KeyRow]:
    """A working API key for each demo store's terminal: the saved one, or a new one (the old revoked)."""
    saved = _saved_keys(path)
    rows, changed = [], False
    terminals = Terminal.objects.filter(store__merchant__name__in=demo_merchant_names(), name=TERMINAL_NAME)
    for terminal in terminals.select_related("store").order_by("store__merchant_id", "store__code"):
        secret = saved.get(terminal.public_id)
        if secret is None or not _opens(secret, terminal):
            secret = _key_replace(terminal)
            saved[terminal.public_id] = secret
            changed = True
        store = terminal.store
        rows.append(KeyRow(store.merchant_id, store.code, store.name, terminal.name, secret))
    if changed:
        _save_keys(path, saved)
    return rows


def _opens(secret: str, terminal: Terminal) -> bool:
    try:
        return terminal_key_authenticate(secret).id == terminal.id
    except InvalidApiKey:
        return False


def _key_replace(terminal: Terminal) -> str:
    at = now()
    for key in TerminalKey.objects.filter(terminal=terminal, label=KEY_LABEL, revoked_at__isnull=True):
        terminal_key_revoke(key=key, now=at)
    return terminal_key_issue(terminal=terminal, label=KEY_LABEL).secret


def _saved_keys(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save_keys(path: Path, keys: dict[str, str]) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(keys, handle, indent=1)
        path.chmod(0o600)  # an older file may have been created with looser permissions
    except OSError:
        pass  # a read-only directory: the keys are still printed now, and replaced on the next start

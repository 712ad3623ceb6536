"""Staff API tokens: issued once, stored hashed, revocable, optionally expiring."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tessera.access.models import StaffApiToken, StaffUser
from tessera.access.rules import TOKEN_PREFIX, token_digest
from tessera.kit.db import use_case


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: StaffApiToken
    secret: str  # shown once; only its digest is stored


def staff_token_issue(*, staff: StaffUser, now: datetime, label: str = "", days: int | None = 90) -> IssuedToken:
    """Issue ``tst_<lookup>_<secret>`` for ``staff``; it lapses after ``days`` (None: never)."""
    lookup, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    with use_case():
        token = StaffApiToken.objects.create(
            staff=staff, lookup=lookup, secret_sha256=token_digest(secret), label=label, created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )  # fmt: skip
    return IssuedToken(token=token, secret=f"{TOKEN_PREFIX}{lookup}_{secret}")


def staff_token_revoke(*, token: StaffApiToken, now: datetime) -> None:
    with use_case():
        StaffApiToken.objects.filter(id=token.id, revoked_at__isnull=True).update(revoked_at=now)

"""Authenticating staff API tokens."""

from __future__ import annotations

import hmac
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tessera.access.models import StaffApiToken, StaffUser
from tessera.access.rules import TOKEN_PREFIX, token_digest
from tessera.kit.errors import DomainError


class InvalidStaffToken(DomainError):
    code = "invalid_staff_token"
    status = 401
    message = _("The staff token is missing, unknown, expired or revoked.")


def staff_token_authenticate(raw: str | None, *, now: datetime) -> StaffUser:
    """The active staff member behind ``raw``; one answer for every failure.

    :raises InvalidStaffToken: malformed, unknown, expired or revoked token, or an inactive account.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        raise InvalidStaffToken()
    lookup, _sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    token = StaffApiToken.objects.select_related("staff").filter(lookup=lookup, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token_digest(secret), token.secret_sha256):
        raise InvalidStaffToken()
    if (token.expires_at is not None and token.expires_at <= now) or not token.staff.is_active:
        raise InvalidStaffToken()
    return token.staff

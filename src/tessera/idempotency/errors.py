from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, DomainError


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = _("This idempotency key was already used for a different request. Use a new key for a new request.")


class IdempotencyKeyMissing(DomainError):
    code = "idempotency_key_missing"
    status = 400
    message = _("An Idempotency-Key header is required for this request.")


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    status = 400
    message = _("The Idempotency-Key must be 1 to 255 printable ASCII characters.")

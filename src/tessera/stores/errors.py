from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import DomainError, Forbidden, Invalid


class InvalidApiKey(DomainError):
    code = "invalid_api_key"
    status = 401
    message = _("The API key is missing, unknown or revoked.")


class WrongStore(Forbidden):
    code = "wrong_store"
    message = _("This key or account cannot act for store %(store)s.")


class StoreSetupInvalid(Invalid):
    code = "store_setup_invalid"
    message = _("The store settings are not valid: %(reason)s")

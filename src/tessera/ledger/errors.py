from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    message = _("The balance is not enough: %(available)s available, %(requested)s requested.")


class BalanceCeilingExceeded(Conflict):
    code = "balance_ceiling_exceeded"
    message = _("This would take the balance above its limit of %(ceiling)s.")

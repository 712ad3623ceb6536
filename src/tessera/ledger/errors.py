from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict
from tessera.kit.money import amount_text


def insufficient(*, available: int, requested: int, unit: str) -> InsufficientBalance:
    return InsufficientBalance(
        available=available, requested=requested, unit=unit,
        available_text=amount_text(available, unit), requested_text=amount_text(requested, unit),
    )  # fmt: skip


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    message = _("The balance is not enough: %(available_text)s available, %(requested_text)s requested.")


class BalanceCeilingExceeded(Conflict):
    code = "balance_ceiling_exceeded"
    message = _("This would take the balance above its limit of %(ceiling_text)s.")

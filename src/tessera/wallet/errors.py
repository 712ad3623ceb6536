"""Stored-value errors."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Invalid, NotFound


class TopUpAboveBalanceCap(Invalid):
    code = "top_up_above_balance_cap"
    message = _("This top-up would take the card above its stored-value limit of %(cap_text)s.")


class TopUpAboveSingleMaximum(Invalid):
    code = "top_up_above_single_maximum"
    message = _("A single top-up may be at most %(max_text)s.")


class TopUpNotFound(NotFound):
    code = "top_up_not_found"
    message = _("No top-up %(pos_number)s was recorded at this store.")


class TopUpFullyRefunded(Conflict):
    code = "top_up_fully_refunded"
    message = _("Top-up %(pos_number)s has already been refunded in full.")


class TopUpRefundExceedsTopUp(Invalid):
    code = "top_up_refund_exceeds_top_up"
    message = _("Only %(remaining_text)s of this top-up is left to refund.")


class TopUpRefundPrincipalSpent(Invalid):
    code = "top_up_refund_principal_spent"
    message = _("The card holds only %(balance_text)s of paid-in stored value; the rest has been spent.")


class TopUpRefundBonusSpent(Invalid):
    code = "top_up_refund_bonus_spent"
    message = _("The share of the bonus already spent (%(spent_text)s) is more than the amount to refund.")


class StoredValueNotShared(Conflict):
    code = "stored_value_not_shared"
    message = _(
        "Only %(usable_text)s of this card's stored value can be spent here: the rest was bought from another "
        "merchant of the alliance, and using prepaid value across merchants needs a payment licence."
    )

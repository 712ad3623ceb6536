"""Coded errors for earning rules and for paying with points."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.earning.burn import BurnRefusal, BurnRefusalCode
from tessera.kit.errors import Conflict, DomainError, Invalid
from tessera.kit.money import amount_text
from tessera.ledger.models import POINTS as POINTS_UNIT


class EarningRuleInvalid(Invalid):
    code = "earning_rule_invalid"
    message = _("The earning rule is not valid: %(reason)s")


class MultiplierNotPositive(Invalid):
    code = "earning_multiplier_not_positive"
    message = _(
        "A multiplier must be above zero, in per mille: 1000 earns the normal points, 2000 double. "
        "%(factor)s is not allowed."
    )


class PointsPaymentDisabled(Conflict):
    code = BurnRefusalCode.DISABLED.value
    message = _("This programme does not accept points as payment.")


class PointsPaymentAboveMaxShare(Conflict):
    code = BurnRefusalCode.ABOVE_MAX_SHARE.value
    message = _("Points may pay at most %(max_share_pct)s%% of this bill, %(max_text)s.")


class PointsPaymentBelowMinimum(Conflict):
    code = BurnRefusalCode.BELOW_MINIMUM.value
    message = _("A payment with points needs at least %(min_text)s; this one would take %(points_text)s.")


class PointsPaymentInsufficient(Conflict):
    code = BurnRefusalCode.INSUFFICIENT_POINTS.value
    message = _("This payment needs %(points_text)s; the member has %(available_text)s.")


_REFUSALS: dict[BurnRefusalCode, type[DomainError]] = {
    BurnRefusalCode.DISABLED: PointsPaymentDisabled,
    BurnRefusalCode.ABOVE_MAX_SHARE: PointsPaymentAboveMaxShare,
    BurnRefusalCode.BELOW_MINIMUM: PointsPaymentBelowMinimum,
    BurnRefusalCode.INSUFFICIENT_POINTS: PointsPaymentInsufficient,
}


def burn_refusal_error(refusal: BurnRefusal, *, currency: str) -> DomainError:
    """The coded, translated error for a refused points payment, for the till's commit path to raise."""
    texts = {f"{name.removesuffix('_points')}_text": amount_text(n, POINTS_UNIT) for name, n in refusal.details.items()
             if name.endswith("points")}  # fmt: skip
    if "max_minor" in refusal.details:
        texts["max_text"] = amount_text(refusal.details["max_minor"], currency)
    return _REFUSALS[refusal.code](**refusal.details, **texts)

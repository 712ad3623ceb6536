from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Invalid, NotFound


class CouponNotFound(NotFound):
    # One answer for a code that does not exist, is mistyped, or belongs to another member, programme or merchant:
    # a guessed code learns nothing.
    code = "coupon_not_found"
    message = _("No such coupon for this member.")


class CouponTemplateNotFound(NotFound):
    code = "coupon_template_not_found"
    message = _("No such coupon template in this programme.")


class CouponTemplateInactive(Conflict):
    code = "coupon_template_inactive"
    message = _("Coupon template %(template)s is switched off; no coupons can be issued from it.")


class CouponIssueLimitReached(Conflict):
    code = "coupon_issue_limit_reached"
    message = _("Coupon template %(template)s has reached its limit: %(limit)s.")


class CouponNotApplicable(Invalid):
    code = "coupon_not_applicable"
    message = _("Coupon %(coupon)s cannot be used for this sale: %(reason)s")


class CouponsNotCombinable(Invalid):
    code = "coupons_not_combinable"
    message = _("These coupons cannot be used together: %(reason)s")


class CouponUnavailable(Conflict):
    code = "coupon_unavailable"
    message = _("Coupon %(coupon)s is %(state)s and cannot be used now.")

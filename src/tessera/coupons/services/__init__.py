"""Writes on coupons: issuing, holding, redeeming, restoring and voiding."""

from tessera.coupons.services.expiry import coupons_expire_run
from tessera.coupons.services.issue import IssueSource, coupon_issue, coupons_issue
from tessera.coupons.services.till import (
    codes_clean,
    coupon_void,
    coupons_choose,
    coupons_hold,
    coupons_redeem,
    coupons_release,
    coupons_restore,
    hold_key_for,
)
from tessera.coupons.services.triggers import coupons_for_event

__all__ = [
    "IssueSource",
    "codes_clean",
    "coupon_issue",
    "coupon_void",
    "coupons_choose",
    "coupons_expire_run",
    "coupons_for_event",
    "coupons_hold",
    "coupons_issue",
    "coupons_redeem",
    "coupons_release",
    "coupons_restore",
    "hold_key_for",
]

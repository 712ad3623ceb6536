"""Writes on coupons: issuing, holding, redeeming, restoring, voiding and expiring."""

from tessera.coupons.services.issue import IssueSource, coupon_issue, coupons_issue

__all__ = ["IssueSource", "coupon_issue", "coupons_issue"]

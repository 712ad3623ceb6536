"""Coupon invariants added to ``tessera ledger verify``: coupons agree with the sales they discounted."""

from __future__ import annotations

from tessera.ledger.verify import register_sql_check

_CHECKS = {
    "a redeemed coupon names the sale it discounted": (
        "SELECT c.id, c.redeemed_document FROM coupons_coupon c"
        " LEFT JOIN checkout_document d ON d.public_id = c.redeemed_document AND d.kind = 'sale'"
        " WHERE c.state = 'redeemed' AND d.id IS NULL",
        "coupon {0} is redeemed on {1}, which is not a sale",
    ),
    "coupon discounts equal their sale's line discounts": (
        "SELECT d.public_id, c.given, SUM(l.coupon_discount_minor) FROM checkout_document d"
        " JOIN (SELECT redeemed_document, SUM(discount_minor) AS given FROM coupons_coupon WHERE state = 'redeemed'"
        " GROUP BY redeemed_document) c ON c.redeemed_document = d.public_id"
        " JOIN checkout_documentline l ON l.document_id = d.id GROUP BY d.public_id, c.given"
        " HAVING SUM(l.coupon_discount_minor) <> c.given",
        "sale {0}: its coupons gave {1} but its lines carry {2} of coupon discount",
    ),
    "a coupon is redeemed once, net of restorations": (
        "SELECT c.id, c.state, SUM(CASE WHEN e.kind = 'redeemed' THEN 1 WHEN e.kind = 'restored' THEN -1 ELSE 0 END)"
        " FROM coupons_coupon c JOIN coupons_couponevent e ON e.coupon_id = c.id GROUP BY c.id, c.state"
        " HAVING SUM(CASE WHEN e.kind = 'redeemed' THEN 1 WHEN e.kind = 'restored' THEN -1 ELSE 0 END)"
        " <> CASE WHEN c.state = 'redeemed' THEN 1 ELSE 0 END",
        "coupon {0} is {1} but its events count {2} redemptions net of restorations",
    ),
    "coupon budgets are never exceeded": (
        "SELECT t.code, t.budget_minor, u.budget_used_minor FROM coupons_coupontemplate t"
        " JOIN coupons_coupontemplateusage u ON u.template_id = t.id"
        " WHERE t.budget_minor IS NOT NULL AND u.budget_used_minor > t.budget_minor",
        "coupon template {0} has a budget of {1} but gave {2}",
    ),
}


def register() -> None:
    for name, (sql, template) in _CHECKS.items():
        register_sql_check(name, sql, template)

"""Checkout invariants added to ``tessera ledger verify``: documents agree with the ledger and with their sale."""

from __future__ import annotations

from tessera.ledger.verify import register_sql_check

_CHECKS = {
    "F-4 returns never exceed their sale": (
        "SELECT s.id, s.total_minor, SUM(r.total_minor), s.points, SUM(r.points)"
        " FROM checkout_document s JOIN checkout_document r ON r.original_id = s.id AND r.kind = 'return'"
        " GROUP BY s.id, s.total_minor, s.points, s.sv_principal_minor, s.sv_bonus_minor"
        " HAVING SUM(r.total_minor) > s.total_minor OR SUM(r.points) > s.points"
        " OR SUM(r.sv_principal_minor) > s.sv_principal_minor OR SUM(r.sv_bonus_minor) > s.sv_bonus_minor",
        "sale {0} (total {1}, points {3}) has returns worth {2} taking back {4} points, or refunding too much",
    ),
    "top-up refunds never exceed their top-up": (
        "SELECT s.id, s.sv_principal_minor, SUM(r.sv_principal_minor), s.sv_bonus_minor, SUM(r.sv_bonus_minor)"
        " FROM checkout_document s JOIN checkout_document r ON r.original_id = s.id AND r.kind = 'top_up_refund'"
        " GROUP BY s.id, s.sv_principal_minor, s.sv_bonus_minor"
        " HAVING SUM(r.sv_principal_minor) > s.sv_principal_minor OR SUM(r.sv_bonus_minor) > s.sv_bonus_minor"
        " OR SUM(r.total_minor) > s.sv_principal_minor",
        "top-up {0} put in {1} and a bonus of {3}; its refunds took back {2} and {4}, or paid out more than {1}",
    ),
    "returns refer to sales, top-up refunds to top-ups": (
        "SELECT r.id, r.kind, s.kind FROM checkout_document r JOIN checkout_document s ON s.id = r.original_id"
        " WHERE NOT ((r.kind = 'return' AND s.kind = 'sale') OR (r.kind = 'top_up_refund' AND s.kind = 'top_up'))",
        "document {0} ({1}) refers to a {2}",
    ),
    "F-4 returned quantity within the sold quantity": (
        "SELECT o.id, o.quantity, SUM(r.quantity) FROM checkout_documentline o"
        " JOIN checkout_documentline r ON r.original_line_id = o.id"
        " GROUP BY o.id, o.quantity HAVING SUM(r.quantity) > o.quantity",
        "sale line {0} sold {1} but {2} were returned",
    ),
    "sale lines add up to the document total": (
        "SELECT d.id, d.total_minor, SUM(l.amount_minor) FROM checkout_document d"
        " JOIN checkout_documentline l ON l.document_id = d.id"
        " WHERE d.kind IN ('sale', 'return', 'imported_sale', 'imported_return')"
        " GROUP BY d.id, d.total_minor HAVING SUM(l.amount_minor) <> d.total_minor",
        "document {0} totals {1} but its lines add up to {2}",
    ),
    "every idempotency key has its answer": (
        "SELECT r.id, r.store_id, r.key FROM idempotency_idempotencyrecord r"
        " LEFT JOIN checkout_document d ON d.public_id = r.answer_document"
        " WHERE r.response IS NULL AND d.id IS NULL",
        "idempotency record {0} (store {1}, key {2}) has no stored answer and no document holding it",
    ),
    "documents that move value have a posting": (
        "SELECT id, kind FROM checkout_document WHERE posting_id IS NULL"
        " AND (points <> 0 OR sv_principal_minor <> 0 OR sv_bonus_minor <> 0)",
        "document {0} ({1}) moved value without a posting",
    ),
    # ADR 0019: purchase history from another system is a record only. The check above would also catch an
    # imported document that moved value; this one says what such a document must be, posting included.
    "imported history moves nothing": (
        "SELECT d.id, d.kind FROM checkout_document d WHERE d.kind IN ('imported_sale', 'imported_return')"
        " AND (d.posting_id IS NOT NULL OR d.original_id IS NOT NULL OR d.points <> 0 OR d.sv_principal_minor <> 0"
        " OR d.sv_bonus_minor <> 0 OR EXISTS (SELECT 1 FROM checkout_documentline l WHERE l.document_id = d.id"
        " AND (l.points <> 0 OR l.original_line_id IS NOT NULL OR l.member_discount_minor <> 0)))",
        "imported document {0} ({1}) has a posting, an original, points, stored value or a member discount",
    ),
}


def register() -> None:
    for name, (sql, template) in _CHECKS.items():
        register_sql_check(name, sql, template)

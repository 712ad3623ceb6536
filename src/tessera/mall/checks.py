"""``ledger verify`` checks for the mall, set-based like the ledger's own."""

from __future__ import annotations

from tessera.ledger.verify import register_sql_check

_CHECKS = {
    "M1 every mall order's points equal its debit posting": (
        "SELECT o.public_id, o.points, COALESCE(SUM(-e.amount), 0) FROM mall_mallorder o"
        " JOIN ledger_posting p ON p.id = o.posting_id"
        " LEFT JOIN ledger_entry e ON e.posting_id = p.id AND e.amount < 0"
        " GROUP BY o.public_id, o.points, p.reason, p.source_id"
        " HAVING o.points <> COALESCE(SUM(-e.amount), 0) OR p.reason <> 'mall_order' OR p.source_id <> o.public_id",
        "order {0} is for {1} points but its posting debits {2}",
    ),
    "M2 every cancelled mall order has exactly one reversing posting": (
        "SELECT o.public_id, COUNT(p.id) FROM mall_mallorder o"
        " LEFT JOIN ledger_posting p ON p.reverses_id = o.posting_id"
        " GROUP BY o.public_id, o.state"
        " HAVING (o.state = 'cancelled' AND COUNT(p.id) <> 1) OR (o.state <> 'cancelled' AND COUNT(p.id) <> 0)",
        "order {0} has {1} reversing postings",
    ),
    # Orders that took units from a store's row count against that row (M4), never against the item's pool.
    "M3 mall stock is never negative and orders never exceed the stock given": (
        "SELECT i.public_id, i.stock, i.stock_given, COALESCE(SUM(o.quantity), 0) FROM mall_mallitem i"
        " LEFT JOIN mall_mallorder o ON o.item_id = i.id AND o.state <> 'cancelled' AND o.store_stock_id IS NULL"
        " GROUP BY i.public_id, i.stock, i.stock_given"
        " HAVING i.stock < 0 OR i.stock + COALESCE(SUM(o.quantity), 0) <> i.stock_given",
        "item {0}: stock {1}, given {2}, on open orders {3}",
    ),
    "M4 per-store mall stock is never negative and a store's orders never exceed the stock given there": (
        "SELECT i.public_id, st.code, s.stock, s.stock_given, COALESCE(SUM(o.quantity), 0)"
        " FROM mall_mallstorestock s JOIN mall_mallitem i ON i.id = s.item_id"
        " JOIN stores_store st ON st.id = s.store_id"
        " LEFT JOIN mall_mallorder o ON o.store_stock_id = s.id AND o.state <> 'cancelled'"
        " GROUP BY i.public_id, st.code, s.stock, s.stock_given"
        " HAVING s.stock < 0 OR s.stock + COALESCE(SUM(o.quantity), 0) <> s.stock_given",
        "item {0} at store {1}: stock {2}, given {3}, on open orders {4}",
    ),
    "M5 every mall order took store stock at its own store, for its own item": (
        "SELECT o.public_id, o.store_id, s.store_id FROM mall_mallorder o"
        " JOIN mall_mallstorestock s ON s.id = o.store_stock_id"
        " WHERE s.store_id <> o.store_id OR s.item_id <> o.item_id",
        "order {0} was placed at store {1} but took stock from store {2}",
    ),
}


def register() -> None:
    for name, (sql, template) in _CHECKS.items():
        register_sql_check(name, sql, template)

"""Stored-value invariants added to ``tessera ledger verify``: the lots and the ledger agree, per member and per
store of origin (what settlement between stores relies on)."""

from __future__ import annotations

from tessera.ledger.verify import register_sql_check

_HELD = (
    "SELECT a.member_id, a.kind, a.balance, COALESCE(SUM(l.remaining_minor), 0) FROM ledger_account a"
    " LEFT JOIN wallet_storedvaluelot l ON l.member_id = a.member_id AND l.kind = '{lot}'"
    " WHERE a.kind = '{account}' GROUP BY a.member_id, a.kind, a.balance"
    " HAVING a.balance <> COALESCE(SUM(l.remaining_minor), 0)"
)

# Per programme and store: what the lots hold of that store's money equals what the ledger says the store took in
# and has not yet seen spent or paid back anywhere. Programmes that opened lots from older balances (migration
# wallet 0005) cannot know where that money was taken, so they are left out.
_BY_ORIGIN = (
    "SELECT program_id, store_id, kind, SUM(lots), SUM(ledger) FROM ("
    " SELECT l.program_id, l.store_id, l.kind, SUM(l.remaining_minor) AS lots, 0 AS ledger"
    " FROM wallet_storedvaluelot l GROUP BY l.program_id, l.store_id, l.kind"
    " UNION ALL SELECT a.program_id, COALESCE(e.origin_store_id, a.store_id),"
    " CASE WHEN a.kind IN ('store_sv_principal_in', 'store_sv_principal_out') THEN 'principal' ELSE 'bonus' END,"
    " 0, -SUM(e.amount) FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id"
    " WHERE a.kind IN ('store_sv_principal_in', 'store_sv_principal_out', 'store_sv_bonus_in', 'store_sv_bonus_out')"
    " GROUP BY a.program_id, COALESCE(e.origin_store_id, a.store_id), a.kind) t"
    " WHERE program_id NOT IN (SELECT program_id FROM wallet_storedvaluelot WHERE source_type = 'opening_balance')"
    " GROUP BY program_id, store_id, kind HAVING SUM(lots) <> SUM(ledger)"
)

CHECKS = {
    "W1 stored-value principal equals the member's principal lots": (
        _HELD.format(lot="principal", account="member_sv_principal"),
        "member {0} holds {2} of principal but their lots hold {3}",
    ),
    "W2 stored-value bonus equals the member's bonus lots": (
        _HELD.format(lot="bonus", account="member_sv_bonus"),
        "member {0} holds {2} of bonus but their lots hold {3}",
    ),
    "W3 stored value held from each store equals what its lots hold": (
        _BY_ORIGIN,
        "programme {0}: lots hold {3} of {2} from store {1}, the ledger says {4}",
    ),
}


def register() -> None:
    for name, (sql, template) in CHECKS.items():
        register_sql_check(name, sql, template)

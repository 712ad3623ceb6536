"""Points invariants added to ``tessera ledger verify`` (I9): lots and the ledger agree."""

from __future__ import annotations

from collections.abc import Callable

from tessera.kit.db import sql_rows
from tessera.ledger.verify import Violation, register_check

_CHECKS = {
    "I9 points balance equals the remaining points of the member's lots": (
        "SELECT a.member_id, a.balance, COALESCE(SUM(l.remaining), 0) FROM ledger_account a"
        " LEFT JOIN points_pointslot l ON l.member_id = a.member_id"
        " WHERE a.kind = 'member_points' GROUP BY a.member_id, a.balance"
        " HAVING a.balance <> COALESCE(SUM(l.remaining), 0)",
        "member {0} holds {1} points but their lots hold {2}",
    ),
}


def _make(name: str, sql: str, template: str) -> Callable[[], list[Violation]]:
    def run() -> list[Violation]:
        return [Violation(name, template.format(*row)) for row in sql_rows(sql + " LIMIT 20")]

    return run


def register() -> None:
    for name, (sql, template) in _CHECKS.items():
        register_check(name, _make(name, sql, template))

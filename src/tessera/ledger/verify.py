"""``tessera ledger verify``: check every ledger invariant with set-based SQL and report each violation.

Other areas add their own invariants (documents against postings, say) with ``register_check``; the ledger
cannot import them, so they register themselves when their app loads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from tessera.ledger.guards import guards_missing


@dataclass(frozen=True, slots=True)
class Violation:
    check: str
    detail: str


Check = Callable[[], list[Violation]]
_CHECKS: dict[str, Check] = {}


def register_check(name: str, check: Check) -> None:
    _CHECKS[name] = check


def register_sql_check(name: str, sql: str, template: str) -> None:
    """Register a check whose violations are the rows ``sql`` finds (at most 20), each described by
    ``template.format(*row)``; for areas that state their invariants as one query each."""
    register_check(name, _sql_check(name, sql, lambda row: template.format(*row)))


def _rows(sql: str, limit: int = 20) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql + f" LIMIT {int(limit)}")
        return list(cursor.fetchall())


def _sql_check(name: str, sql: str, describe: Callable[[tuple[object, ...]], str]) -> Check:
    def run() -> list[Violation]:
        return [Violation(name, describe(row)) for row in _rows(sql)]

    return run


_SQL_CHECKS: list[tuple[str, str, Callable[[tuple[object, ...]], str]]] = [
    (
        "I1 posting balances per unit",
        "SELECT posting_id, unit, SUM(amount) FROM ledger_entry GROUP BY posting_id, unit HAVING SUM(amount) <> 0",
        lambda r: f"posting {r[0]} unit {r[1]} sums to {r[2]}",
    ),
    (
        "I1 posting has two or more entries",
        "SELECT p.id, COUNT(e.id) FROM ledger_posting p LEFT JOIN ledger_entry e ON e.posting_id = p.id"
        " GROUP BY p.id HAVING COUNT(e.id) < 2",
        lambda r: f"posting {r[0]} has {r[1]} entries",
    ),
    (
        "I2 every programme and unit nets to zero",
        "SELECT a.program_id, e.unit, SUM(e.amount) FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id"
        " GROUP BY a.program_id, e.unit HAVING SUM(e.amount) <> 0",
        lambda r: f"programme {r[0]} unit {r[1]} nets to {r[2]}",
    ),
    (
        "I3 cached balance equals the sum of entries",
        "SELECT a.id, a.balance, COALESCE(SUM(e.amount), 0), a.version, COUNT(DISTINCT e.posting_id)"
        " FROM ledger_account a LEFT JOIN ledger_entry e ON e.account_id = a.id WHERE a.balance IS NOT NULL"
        " GROUP BY a.id, a.balance, a.version"
        " HAVING a.balance <> COALESCE(SUM(e.amount), 0) OR a.version <> COUNT(DISTINCT e.posting_id)",
        lambda r: f"account {r[0]} caches {r[1]} (version {r[3]}) but entries sum to {r[2]} over {r[4]} postings",
    ),
    (
        "I3 running balances replay",
        "SELECT id, account_id, balance_after, running FROM ("
        " SELECT e.id, e.account_id, e.balance_after,"
        " SUM(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id) AS running"
        " FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id WHERE a.balance IS NOT NULL) t"
        " WHERE balance_after IS NULL OR balance_after <> running",
        lambda r: f"entry {r[0]} on account {r[1]} says balance {r[2]}, replay gives {r[3]}",
    ),
    (
        "I4 balances within bounds, now and after every entry",
        "SELECT e.id, e.account_id, e.balance_after FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id"
        " WHERE (a.floor IS NOT NULL AND e.balance_after < a.floor)"
        " OR (a.ceiling IS NOT NULL AND e.balance_after > a.ceiling)",
        lambda r: f"entry {r[0]} left account {r[1]} at {r[2]}, outside its bounds",
    ),
    (
        "I4 cached balances within bounds",
        "SELECT id, balance FROM ledger_account WHERE (floor IS NOT NULL AND balance < floor)"
        " OR (ceiling IS NOT NULL AND balance > ceiling)",
        lambda r: f"account {r[0]} holds {r[1]}, outside its bounds",
    ),
    (
        "entry unit and programme match the account",
        "SELECT e.id, e.unit, a.unit FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id"
        " JOIN ledger_posting p ON p.id = e.posting_id WHERE e.unit <> a.unit OR a.program_id <> p.program_id",
        lambda r: f"entry {r[0]} in {r[1]} on an account in {r[2]} or of another programme",
    ),
    (
        "entries name an origin store only on store accounts, and never their own",
        "SELECT e.id FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id"
        " WHERE e.origin_store_id IS NOT NULL AND (a.store_id IS NULL OR e.origin_store_id = a.store_id)",
        lambda r: f"entry {r[0]} names an origin store on a member account, or its own store",
    ),
    (
        "I5 one posting per request key and store",
        "SELECT store_id, request_key, COUNT(*) FROM ledger_posting GROUP BY store_id, request_key HAVING COUNT(*) > 1",
        lambda r: f"store {r[0]} key {r[1]} has {r[2]} postings",
    ),
    (
        "F-16 every posting says why, where, who and from what",
        "SELECT id FROM ledger_posting WHERE reason = '' OR request_key = '' OR source_type = '' OR source_id = ''"
        " OR (staff_id IS NULL AND terminal_id IS NULL AND system = '')",
        lambda r: f"posting {r[0]} lacks a reason, key, source or actor",
    ),
]


def _guards_check() -> list[Violation]:
    return [Violation("I6 journal is append-only", f"guard {name} is missing") for name in guards_missing(connection)]


def ledger_verify() -> list[Violation]:
    """Run every check; an empty list means every invariant holds."""
    checks: dict[str, Check] = {name: _sql_check(name, sql, fmt) for name, sql, fmt in _SQL_CHECKS}
    checks["I6 journal is append-only"] = _guards_check
    checks.update(_CHECKS)
    violations: list[Violation] = []
    for check in checks.values():
        violations.extend(check())
    return violations


def check_names() -> list[str]:
    return [name for name, _, _ in _SQL_CHECKS] + ["I6 journal is append-only", *_CHECKS]

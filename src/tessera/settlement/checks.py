"""Settlement invariants added to ``tessera ledger verify``: every closed month still equals the ledger.

A closed period's statements, obligations and transfers are recomputed from the ledger as it stands now, with
the terms the period was closed with (and without points expired if it was closed before statements reported
them), and compared field by field; so is the count of postings it covered. Any difference means a posting was
written into a closed month, or a stored figure was changed: both fail loudly.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from tessera.ledger.verify import Violation, register_check
from tessera.settlement.models import (
    MerchantStatement,
    MerchantTransfer,
    Obligation,
    SettlementPeriod,
    StoreStatement,
    Transfer,
)
from tessera.settlement.rules import MerchantFigures, MerchantSettlement, Settlement
from tessera.settlement.selectors import (
    between_closed,
    merchant_settlement_compute,
    month_postings,
    period_label,
    period_month,
    period_terms,
    settlement_compute,
)

NAME = "S1 closed settlement periods equal the ledger"


def period_differences(period: SettlementPeriod) -> list[str]:
    """What differs between a closed period's stored rows and a fresh computation from the ledger."""
    month = period_month(period)
    count, last = month_postings(program_id=period.program_id, starts_at=period.starts_at, ends_at=period.ends_at)
    problems = []
    if (count, last) != (period.postings, period.last_posting_id):
        problems.append(f"covered {period.postings} postings up to {period.last_posting_id}, now {count} up to {last}")
    stores = StoreStatement.objects.filter(period=period).values_list("store_id", flat=True)
    fresh = settlement_compute(month, period_terms(period), points_expired=period.reports_points_expired,
                               store_ids=list(stores))  # fmt: skip
    between = merchant_settlement_compute(period.program, fresh, between_closed(period))
    for label, stored, computed in [*_tables(period, fresh), *_merchant_tables(period, between)]:
        if stored != computed:
            only_stored, only_computed = sorted(stored - computed)[:3], sorted(computed - stored)[:3]
            problems.append(f"{label} differ: stored {only_stored}, ledger {only_computed}")
    return problems


Rows = set[tuple[object, ...]]


def _tables(period: SettlementPeriod, fresh: Settlement) -> list[tuple[str, Rows, Rows]]:
    statement_fields = list(fresh.statements[0].as_dict()) if fresh.statements else ["store_id"]
    stored_statements = set(StoreStatement.objects.filter(period=period).values_list(*statement_fields))
    computed_statements = {tuple(s.as_dict().values()) for s in fresh.statements}
    obligation_fields = ["debtor_id", "creditor_id", "principal_minor", "bonus_face_minor", "points",
                         "adjustments_minor", "bonus_minor", "points_minor", "total_minor"]  # fmt: skip
    stored_obligations = set(Obligation.objects.filter(period=period).values_list(*obligation_fields))
    computed_obligations = {(*asdict(ob).values(), ob.total_minor) for ob in fresh.obligations}
    stored_transfers = set(Transfer.objects.filter(period=period).values_list("payer_id", "payee_id", "amount_minor"))
    computed_transfers = {(t.payer_id, t.payee_id, t.amount_minor) for t in fresh.transfers}
    return [
        ("statements", stored_statements, computed_statements),
        ("obligations", stored_obligations, computed_obligations),
        ("transfers", stored_transfers, computed_transfers),
    ]


def _merchant_tables(period: SettlementPeriod, between: MerchantSettlement) -> list[tuple[str, Rows, Rows]]:
    names = [f.name for f in fields(MerchantFigures)]
    stored = set(MerchantStatement.objects.filter(period=period).values_list(*names))
    computed = {tuple(asdict(m).values()) for m in between.statements}
    stored_transfers = set(
        MerchantTransfer.objects.filter(period=period).values_list("payer_id", "payee_id", "amount_minor")
    )
    computed_transfers = {(t.payer_id, t.payee_id, t.amount_minor) for t in between.transfers}
    return [("merchant statements", stored, computed), ("merchant transfers", stored_transfers, computed_transfers)]


def _check() -> list[Violation]:
    violations = []
    for period in SettlementPeriod.objects.select_related("program").order_by("program_id", "year", "month"):
        for problem in period_differences(period):
            label = f"programme {period.program_id} {period_label(period.year, period.month)}"
            violations.append(Violation(NAME, f"{label}: {problem}"))
    return violations[:20]


def register() -> None:
    register_check(NAME, _check)

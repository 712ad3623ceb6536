"""Sales: a dry-run quote and an idempotent commit.

Earning is one seam, ``_points_earned``: the foundation earns at the programme's flat rate; tier, day and
category rules plug in there without touching the rest of the commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tessera.checkout.commands import SaleIn
from tessera.checkout.errors import StoredValueNotAccepted
from tessera.checkout.models import DocumentLine, Tender
from tessera.checkout.rules import SpendOrder, allocate, stored_value_split
from tessera.checkout.services.common import currency_check, event_at_check, member_for_actor
from tessera.checkout.services.flow import Request, Write, pos_write
from tessera.checkout.services.lines import LINE_COLUMNS, TENDER_COLUMNS, lines_validate, tenders_validate
from tessera.kit.actor import Actor
from tessera.kit.db import IdOf, sql_insert
from tessera.kit.outcome import Outcome
from tessera.ledger.errors import insufficient
from tessera.ledger.models import POINTS, AccountKind
from tessera.ledger.rules import Leg
from tessera.ledger.services import store_account_id
from tessera.members.models import Member
from tessera.members.selectors import member_balances
from tessera.members.stats import CategoryMove, member_stats_sale
from tessera.points.services import lot_add
from tessera.programs.models import Program
from tessera.programs.rules import points_for_spend


@dataclass(frozen=True, slots=True)
class CheckedSale:
    """A sale whose lines and tenders passed validation, with the totals the server computed."""

    sale: SaleIn
    amounts: list[int]
    total: int
    sv_amount: int


@dataclass(frozen=True, slots=True)
class SalePlan:
    total: int
    amounts: list[int]
    sv_principal: int
    sv_bonus: int
    points: int
    debt_repaid: int
    earning: dict[str, Any]

    @property
    def points_credited(self) -> int:
        return self.points - self.debt_repaid

    def points_body(self) -> dict[str, Any]:
        return {"earned": self.points, "debt_repaid": self.debt_repaid, "credited": self.points_credited,
                "explanation": self.earning}  # fmt: skip


def _points_earned(program: Program, *, total: int, sv_amount: int) -> tuple[int, dict[str, Any]]:
    """Points a sale earns, and the explanation recorded on its posting (the earning seam)."""
    eligible = total if program.earn_on_stored_value else total - sv_amount
    rate = program.earn_rate
    points = points_for_spend(eligible, rate)
    return points, {
        "rule": "flat_rate",
        "eligible_minor": eligible,
        "rate": {"points": rate.points, "per_minor": rate.per_minor},
        "rounding": "down",
        "points": points,
    }


def _check(sale: SaleIn, *, actor: Actor) -> CheckedSale:
    currency_check(given=sale.currency, actor=actor)
    amounts = lines_validate(sale.lines)
    total = sum(amounts)
    return CheckedSale(sale, amounts, total, tenders_validate(sale.tenders, total, sale.currency))


def _plan(checked: CheckedSale, *, program: Program, principal: int, bonus: int, owed: int) -> SalePlan:
    sv_amount = checked.sv_amount
    if sv_amount and program.currency != checked.sale.currency:
        raise StoredValueNotAccepted(currency=program.currency, given=checked.sale.currency)
    if sv_amount > principal + bonus:
        raise insufficient(available=principal + bonus, requested=sv_amount, unit=program.currency)
    from_principal, from_bonus = stored_value_split(
        amount=sv_amount, principal=principal, bonus=bonus, order=SpendOrder(program.stored_value_spend_order)
    )
    points, earning = _points_earned(program, total=checked.total, sv_amount=sv_amount)
    return SalePlan(checked.total, checked.amounts, from_principal, from_bonus, points, min(points, owed), earning)


def sale_quote(*, actor: Actor, sale: SaleIn, now: datetime) -> dict[str, Any]:
    """What committing ``sale`` would do now, without writing anything or taking locks."""
    event_at_check(sale.event_at, now)
    checked = _check(sale, actor=actor)
    member = member_for_actor(actor=actor, reference=sale.member)
    balances = member_balances(member=member)
    plan = _plan(checked, program=member.program, principal=balances.sv_principal_minor,
                 bonus=balances.sv_bonus_minor, owed=balances.points_debt)  # fmt: skip
    return {
        "member_id": member.public_id,
        "currency": sale.currency,
        "total_minor": plan.total,
        "stored_value": {"principal_minor": plan.sv_principal, "bonus_minor": plan.sv_bonus},
        "points": plan.points_body(),
        "balances_before": balances.as_dict(),
    }


def sale_commit(*, actor: Actor, sale: SaleIn, request_key: str, now: datetime) -> Outcome:
    """Record a sale: spend stored value, earn points, update the member's statistics. Idempotent.

    :raises IdempotencyKeyReused: the key was used for a different request.
    :raises DocumentNumberConflict: the POS number was used for a different document at this store.
    :raises InsufficientBalance: the stored value tender exceeds the member's balance (checked under lock).
    """
    checked = _check(sale, actor=actor)
    request = Request(actor=actor, kind="sale", pos_number=sale.pos_number, event_at=sale.event_at,
                      request_key=request_key, body=sale.canonical(), now=now)  # fmt: skip

    def find() -> tuple[Member, CheckedSale]:
        return member_for_actor(actor=actor, reference=sale.member), checked

    return pos_write(request, find=find, write=_sale_write)


def _sale_write(w: Write, checked: CheckedSale) -> dict[str, Any]:
    a = w.accounts
    plan = _plan(checked, program=w.program, principal=a.sv_principal.balance or 0, bonus=a.sv_bonus.balance or 0,
                 owed=-(a.points_debt.balance or 0))  # fmt: skip
    posting = w.post(_sale_legs(w, plan), details={"earning": plan.earning})
    if plan.points_credited:
        lot_add(program=w.program, member_id=w.member.id, points=plan.points_credited, source_type="sale",
                source_id=w.document_id, earned_at=checked.sale.event_at, now=w.request.now)  # fmt: skip
    receipt = w.receipt(
        posting, checked.sale.currency, total_minor=plan.total, points=plan.points_body(),
        stored_value={"principal_minor": plan.sv_principal, "bonus_minor": plan.sv_bonus},
    )  # fmt: skip
    document_id = w.record(posting, receipt, currency=checked.sale.currency, total_minor=plan.total, points=plan.points,
                        sv_principal_minor=plan.sv_principal, sv_bonus_minor=plan.sv_bonus)  # fmt: skip
    _lines_write(document_id=document_id, sale=checked.sale, plan=plan)
    member_stats_sale(
        member_id=w.member.id, event_at=checked.sale.event_at, value_minor=plan.total,
        items=sum(line.quantity for line in checked.sale.lines), points=plan.points,
        categories=_categories(checked.sale, plan),
    )  # fmt: skip
    w.audit("checkout.sale", total_minor=plan.total)
    return receipt


def _sale_legs(w: Write, plan: SalePlan) -> list[Leg]:
    program, a, cur = w.program, w.accounts, w.program.currency

    def store(kind: AccountKind, unit: str) -> int:
        return store_account_id(program_id=program.id, store_id=w.request.actor.store_id, kind=kind, unit=unit)

    legs: list[Leg] = []
    if plan.sv_principal:
        legs += [Leg(a.sv_principal.id, cur, -plan.sv_principal),
                 Leg(store(AccountKind.STORE_SV_PRINCIPAL_OUT, cur), cur, plan.sv_principal)]  # fmt: skip
    if plan.sv_bonus:
        legs += [Leg(a.sv_bonus.id, cur, -plan.sv_bonus),
                 Leg(store(AccountKind.STORE_SV_BONUS_OUT, cur), cur, plan.sv_bonus)]  # fmt: skip
    if plan.points:
        legs += [Leg(store(AccountKind.STORE_POINTS_ISSUED, POINTS), POINTS, -plan.points),
                 Leg(a.points_debt.id, POINTS, plan.debt_repaid),
                 Leg(a.points.id, POINTS, plan.points_credited)]  # fmt: skip
    return legs


def _lines_write(*, document_id: IdOf, sale: SaleIn, plan: SalePlan) -> None:
    line_points = allocate(plan.points, plan.amounts)
    rows = [
        (document_id, line.line_no, line.sku, line.name, line.brand, line.category, line.quantity,
         line.unit_price_minor, line.discount_minor, amount, points, None)
        for line, amount, points in zip(sale.lines, plan.amounts, line_points, strict=True)
    ]  # fmt: skip
    sql_insert(DocumentLine._meta.db_table, LINE_COLUMNS, rows)
    tenders = [(document_id, t.kind, t.amount_minor, t.reference) for t in sale.tenders]
    sql_insert(Tender._meta.db_table, TENDER_COLUMNS, tenders)


def _categories(sale: SaleIn, plan: SalePlan) -> dict[str, CategoryMove]:
    moves: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line, amount in zip(sale.lines, plan.amounts, strict=True):
        moves[line.category][0] += line.quantity
        moves[line.category][1] += amount
    return {name: CategoryMove(quantity=q, value_minor=v) for name, (q, v) in moves.items()}

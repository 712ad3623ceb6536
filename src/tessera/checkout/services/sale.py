"""Sales: a dry-run quote and an idempotent commit.

Earning is one seam, ``_points_earned``: the foundation earns at the programme's flat rate; tier, day and
category rules plug in there without touching the rest of the commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tessera.audit.services import audit_record
from tessera.checkout.commands import SaleIn
from tessera.checkout.errors import StoredValueNotAccepted
from tessera.checkout.models import Document, DocumentLine, Tender
from tessera.checkout.receipts import balances_body, document_head
from tessera.checkout.rules import SpendOrder, allocate, stored_value_split
from tessera.checkout.services.common import (
    claim_key,
    currency_check,
    document_number_guard,
    duplicate_document,
    event_at_check,
    member_for_actor,
)
from tessera.checkout.services.lines import lines_validate, tenders_validate
from tessera.idempotency.services import idempotency_complete
from tessera.kit.actor import Actor
from tessera.kit.db import use_case
from tessera.kit.fingerprint import fingerprint
from tessera.kit.ids import new_public_id
from tessera.kit.outcome import Outcome
from tessera.ledger.errors import InsufficientBalance
from tessera.ledger.models import POINTS, AccountKind
from tessera.ledger.rules import Leg
from tessera.ledger.services import MemberAccounts, PostingHeader, member_accounts_lock, posting_write, store_account_id
from tessera.members.models import Member
from tessera.members.selectors import member_balances
from tessera.members.stats import CategoryMove, member_stats_sale
from tessera.programs.models import Program
from tessera.programs.rules import points_for_spend


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


@dataclass(frozen=True, slots=True)
class CheckedSale:
    """A sale whose lines and tenders passed validation, with the totals the server computed."""

    sale: SaleIn
    amounts: list[int]
    total: int
    sv_amount: int


def _check(sale: SaleIn, *, actor: Actor, now: datetime) -> CheckedSale:
    event_at_check(sale.event_at, now)
    currency_check(given=sale.currency, actor=actor)
    amounts = lines_validate(sale.lines)
    total = sum(amounts)
    return CheckedSale(sale, amounts, total, tenders_validate(sale.tenders, total))


def _plan(checked: CheckedSale, *, program: Program, principal: int, bonus: int, owed: int) -> SalePlan:
    sv_amount = checked.sv_amount
    if sv_amount and program.currency != checked.sale.currency:
        raise StoredValueNotAccepted(currency=program.currency, given=checked.sale.currency)
    if sv_amount > principal + bonus:
        raise InsufficientBalance(available=principal + bonus, requested=sv_amount)
    from_principal, from_bonus = stored_value_split(
        amount=sv_amount, principal=principal, bonus=bonus, order=SpendOrder(program.stored_value_spend_order)
    )
    points, earning = _points_earned(program, total=checked.total, sv_amount=sv_amount)
    return SalePlan(checked.total, checked.amounts, from_principal, from_bonus, points, min(points, owed), earning)


def sale_quote(*, actor: Actor, sale: SaleIn, now: datetime) -> dict[str, Any]:
    """What committing ``sale`` would do now, without writing anything or taking locks."""
    checked = _check(sale, actor=actor, now=now)
    member = member_for_actor(actor=actor, reference=sale.member)
    balances = member_balances(member=member)
    plan = _plan(
        checked,
        program=member.program,
        principal=balances.sv_principal_minor,
        bonus=balances.sv_bonus_minor,
        owed=balances.points_debt,
    )
    return {
        "member_id": member.public_id,
        "currency": sale.currency,
        "total_minor": plan.total,
        "stored_value": {"principal_minor": plan.sv_principal, "bonus_minor": plan.sv_bonus},
        "points": _points_body(plan),
        "balances_before": balances.as_dict(),
    }


def _points_body(plan: SalePlan) -> dict[str, Any]:
    return {
        "earned": plan.points,
        "debt_repaid": plan.debt_repaid,
        "credited": plan.points_credited,
        "explanation": plan.earning,
    }


def sale_commit(*, actor: Actor, sale: SaleIn, request_key: str, now: datetime) -> Outcome:
    """Record a sale: spend stored value, earn points, update the member's statistics. Idempotent.

    :raises IdempotencyKeyReused: the key was used for a different request.
    :raises DocumentNumberConflict: the POS number was used for a different document at this store.
    :raises InsufficientBalance: the stored value tender exceeds the member's balance (checked under lock).
    """
    checked = _check(sale, actor=actor, now=now)
    body = sale.canonical()
    fp = fingerprint(operation="sale", body=body)
    with document_number_guard(sale.pos_number), use_case():
        claim = claim_key(actor=actor, key=request_key, operation="sale", fingerprint=fp, now=now)
        if claim.replay is not None:
            return Outcome(claim.replay, replayed=True)
        member = member_for_actor(actor=actor, reference=sale.member)
        accounts = member_accounts_lock(member_id=member.id)
        if dup := duplicate_document(actor=actor, kind="sale", pos_number=sale.pos_number, fingerprint=fp, claim=claim):
            return dup
        receipt = _sale_write(
            actor=actor, checked=checked, member=member, accounts=accounts, fp=fp, request_key=request_key, now=now
        )
        idempotency_complete(claim=claim, response=receipt)
    return Outcome(receipt)


def _sale_write(
    *,
    actor: Actor,
    checked: CheckedSale,
    member: Member,
    accounts: MemberAccounts,
    fp: str,
    request_key: str,
    now: datetime,
) -> dict[str, Any]:
    program = member.program
    sale = checked.sale
    plan = _plan(
        checked,
        program=program,
        principal=accounts.sv_principal.balance or 0,
        bonus=accounts.sv_bonus.balance or 0,
        owed=-(accounts.points_debt.balance or 0),
    )
    document_id = new_public_id("doc")
    posting = posting_write(
        header=PostingHeader(
            program_id=program.id,
            reason="sale",
            request_key=request_key,
            source_type="sale",
            source_id=document_id,
            actor=actor,
            event_at=sale.event_at,
            now=now,
            details={"earning": plan.earning},
        ),
        legs=_sale_legs(actor=actor, program=program, accounts=accounts, plan=plan),
        locked=accounts.by_id(),
    )
    receipt = {
        **document_head(
            document_id=document_id,
            kind="sale",
            pos_number=sale.pos_number,
            member_id=member.public_id,
            currency=sale.currency,
            posting_id=posting.public_id if posting else None,
            event_at=sale.event_at,
            now=now,
        ),
        "total_minor": plan.total,
        "stored_value": {"principal_minor": plan.sv_principal, "bonus_minor": plan.sv_bonus},
        "points": _points_body(plan),
        "balances": balances_body(accounts, program.currency),
    }
    document = Document.objects.create(
        public_id=document_id,
        kind=Document.Kind.SALE,
        program=program,
        store_id=actor.store_id,
        terminal_id=actor.terminal_id,
        staff_id=actor.staff_id,
        member=member,
        pos_number=sale.pos_number,
        currency=sale.currency,
        total_minor=plan.total,
        points=plan.points,
        sv_principal_minor=plan.sv_principal,
        sv_bonus_minor=plan.sv_bonus,
        fingerprint=fp,
        posting=posting,
        receipt=receipt,
        event_at=sale.event_at,
        created_at=now,
    )
    _lines_write(document=document, sale=sale, plan=plan)
    member_stats_sale(
        member_id=member.id,
        event_at=sale.event_at,
        value_minor=plan.total,
        items=sum(line.quantity for line in sale.lines),
        points=plan.points,
        categories=_categories(sale, plan),
    )
    if actor.staff_id is not None:
        audit_record(
            actor=actor,
            action="checkout.sale",
            object_type="document",
            object_id=document_id,
            now=now,
            request_key=request_key,
            details={"member": member.public_id, "total_minor": plan.total},
        )
    return receipt


def _sale_legs(*, actor: Actor, program: Program, accounts: MemberAccounts, plan: SalePlan) -> list[Leg]:
    def store(kind: AccountKind, unit: str) -> int:
        return store_account_id(program_id=program.id, store_id=actor.store_id, kind=kind, unit=unit)

    legs: list[Leg] = []
    cur = program.currency
    if plan.sv_principal:
        legs += [
            Leg(accounts.sv_principal.id, cur, -plan.sv_principal),
            Leg(store(AccountKind.STORE_SV_PRINCIPAL_OUT, cur), cur, plan.sv_principal),
        ]
    if plan.sv_bonus:
        legs += [
            Leg(accounts.sv_bonus.id, cur, -plan.sv_bonus),
            Leg(store(AccountKind.STORE_SV_BONUS_OUT, cur), cur, plan.sv_bonus),
        ]
    if plan.points:
        legs += [
            Leg(store(AccountKind.STORE_POINTS_ISSUED, POINTS), POINTS, -plan.points),
            Leg(accounts.points_debt.id, POINTS, plan.debt_repaid),
            Leg(accounts.points.id, POINTS, plan.points_credited),
        ]
    return legs


def _lines_write(*, document: Document, sale: SaleIn, plan: SalePlan) -> None:
    line_points = allocate(plan.points, plan.amounts)
    DocumentLine.objects.bulk_create(
        [
            DocumentLine(
                document=document,
                line_no=line.line_no,
                sku=line.sku,
                name=line.name,
                brand=line.brand,
                category=line.category,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                discount_minor=line.discount_minor,
                amount_minor=amount,
                points=points,
            )
            for line, amount, points in zip(sale.lines, plan.amounts, line_points, strict=True)
        ]
    )
    if sale.tenders:
        Tender.objects.bulk_create(
            [
                Tender(document=document, kind=t.kind, amount_minor=t.amount_minor, reference=t.reference)
                for t in sale.tenders
            ]
        )


def _categories(sale: SaleIn, plan: SalePlan) -> dict[str, CategoryMove]:
    moves: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line, amount in zip(sale.lines, plan.amounts, strict=True):
        moves[line.category][0] += line.quantity
        moves[line.category][1] += amount
    return {name: CategoryMove(quantity=q, value_minor=v) for name, (q, v) in moves.items()}

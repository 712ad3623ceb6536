"""Returns: give back what the sale did, in proportion to the goods returned, as new postings.

The take-back is posted against the accounts of the store that made the sale, so the store that issued the
points or took the stored value sees them come back; the posting itself records where the return happened.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from tessera.checkout.commands import ReturnIn
from tessera.checkout.errors import (
    DocumentNotFound,
    LineInvalid,
    NothingToReturn,
    ReturnExceedsSale,
    ReturnLineUnknown,
)
from tessera.checkout.models import Document, DocumentLine
from tessera.checkout.rules import (
    ReturnFigures,
    SaleFigures,
    ShortfallPolicy,
    ShortfallSettlement,
    points_taken_back,
    return_figures,
    returned_line_value,
    share,
    shortfall_settle,
)
from tessera.checkout.services.common import tier_change_body
from tessera.checkout.services.flow import Request, Write, pos_write
from tessera.checkout.services.lines import LINE_COLUMNS
from tessera.coupons.services import coupons_restore
from tessera.kit.actor import Actor
from tessera.kit.db import IdOf, sql_insert
from tessera.kit.outcome import Outcome
from tessera.ledger.models import POINTS, AccountKind
from tessera.ledger.rules import Leg, legs_by_origin
from tessera.ledger.services import MemberAccounts, store_account_id
from tessera.members.models import Member
from tessera.members.stats import CategoryMove, member_stats_return
from tessera.points.services import lots_consume, points_available
from tessera.rewards.services import gift_ladder_record
from tessera.tiers.services import tier_facts_record
from tessera.wallet.rules import origins_split
from tessera.wallet.selectors import sv_spent_unrestored
from tessera.wallet.services import BONUS, PRINCIPAL, sv_lots_add


@dataclass(frozen=True, slots=True)
class ReturnLinePlan:
    original: DocumentLine
    quantity: int
    value: int
    points: int  # taken back: the share of the points this line earned, never any other line's


def return_commit(*, actor: Actor, ret: ReturnIn, request_key: str, now: datetime) -> Outcome:
    """Record a full or partial return of a sale made at this store. Idempotent.

    :raises DocumentNotFound: no such sale at this store.
    :raises NothingToReturn: everything on the sale has been returned already.
    :raises ReturnExceedsSale: more units than remain unreturned on a line.
    :raises ReturnLineUnknown: a line number that the sale does not have.
    """
    request = Request(actor=actor, kind="return", pos_number=ret.pos_number, event_at=ret.event_at,
                      request_key=request_key, body=ret.canonical(), now=now)  # fmt: skip

    def find(_: None) -> tuple[Member, tuple[ReturnIn, Document]]:
        # The member's account locks, taken next, serialise every return of this sale: "already returned" is exact.
        sale = _sale_find(actor=actor, pos_number=ret.original_pos_number)
        return sale.member, (ret, sale)

    return pos_write(request, find=find, write=_return_write)


def _sale_find(*, actor: Actor, pos_number: str) -> Document:
    sale = (
        Document.objects.select_related("member__program", "program")
        .filter(store_id=actor.store_id, kind=Document.Kind.SALE, pos_number=pos_number)
        .first()
    )
    if sale is None:
        raise DocumentNotFound(pos_number=pos_number)
    return sale


def _line_plans(ret: ReturnIn, sale: Document) -> tuple[list[ReturnLinePlan], int, bool]:
    """The lines to return with their values, the value returned from this sale before now, and whether this
    return leaves nothing of the sale unreturned."""
    lines = {line.line_no: line for line in sale.lines.all()}
    done = dict(
        DocumentLine.objects.filter(original_line__document=sale)
        .values_list("original_line__line_no")
        .annotate(q=Sum("quantity"))
    )
    requested = (
        {r.line_no: r.quantity for r in ret.lines}
        if ret.lines
        else {no: line.quantity - done.get(no, 0) for no, line in lines.items() if line.quantity > done.get(no, 0)}
    )
    if ret.lines and len(requested) != len(ret.lines):
        raise LineInvalid(line_no="-", reason=_("a line number appears twice in the return"))
    if not requested:
        raise NothingToReturn(pos_number=sale.pos_number)
    plans = []
    for line_no, quantity in sorted(requested.items()):
        line = lines.get(line_no)
        if line is None:
            raise ReturnLineUnknown(line_no=line_no)
        before = done.get(line_no, 0)
        if not 0 < quantity <= line.quantity - before:
            raise ReturnExceedsSale(line_no=line_no, requested=quantity, remaining=line.quantity - before)
        value = returned_line_value(amount=line.amount_minor, quantity=line.quantity, returned_before=before,
                                    returning=quantity)  # fmt: skip
        points = points_taken_back(points=line.points, quantity=line.quantity, returned_before=before,
                                   returning=quantity)  # fmt: skip
        plans.append(ReturnLinePlan(line, quantity, value, points))
    value_before = sum(share(ln.amount_minor, ln.quantity, done.get(no, 0)) for no, ln in lines.items())
    left = sum(ln.quantity - done.get(no, 0) for no, ln in lines.items()) - sum(p.quantity for p in plans)
    return plans, value_before, left == 0


def _return_write(w: Write, found: tuple[ReturnIn, Document]) -> dict[str, Any]:
    ret, sale = found
    program = sale.program
    plans, value_before, whole_sale = _line_plans(ret, sale)
    by_value = return_figures(
        SaleFigures(sale.total_minor, sale.points, sale.sv_principal_minor, sale.sv_bonus_minor),
        value_before=value_before,
        value=sum(p.value for p in plans),
    )
    # Points come back line by line: returning an item that earned nothing (a gift card) takes nothing back.
    figures = replace(by_value, points=sum(p.points for p in plans))
    # What the member can still give back is what their unexpired lots hold, not the cached balance.
    available = points_available(member_id=w.member.id, now=w.request.now)
    settled = shortfall_settle(
        points=figures.points, balance=available, refund=figures,
        policy=ShortfallPolicy(program.return_shortfall_policy), value=program.point_value,
    )  # fmt: skip
    details = {"figures": _figures_body(figures), "shortfall": _settled_body(settled), "original": sale.public_id}
    taken_back = lots_consume(member_id=w.member.id, points=settled.from_balance, now=w.request.now,
                              prefer_source_id=sale.public_id)  # fmt: skip
    posting = w.post(_return_legs(sale=sale, w=w, figures=figures, settled=settled, taken_back=taken_back),
                     details=details)  # fmt: skip
    # The tier takes back what the sale counted, in the sale's window while it is open (never a downgrade before
    # the window ends); the purchase stops counting once the whole sale has come back.
    change = tier_facts_record(member_id=sale.member_id, program=program, points=-figures.points,
                               spend_minor=-figures.value, purchases=-1 if whole_sale else 0, event_at=sale.event_at,
                               now=w.request.now)  # fmt: skip
    # Once every item has come back the sale no longer stands, so the coupons it used are given back.
    restored: list[str] = []
    if whole_sale and any(line.coupon_discount_minor for line in sale.lines.all()):
        restored = coupons_restore(sale_document_id=sale.public_id, return_document_id=w.document_id,
                                   actor=w.request.actor, now=w.request.now)  # fmt: skip
    receipt = w.receipt(posting, sale.currency, tier_change=tier_change_body(change), coupons_restored=restored,
                        **_receipt_fields(sale, figures, settled))  # fmt: skip
    document_id = w.record(
        posting, receipt, original_id=sale.id, currency=sale.currency, total_minor=figures.value, points=figures.points,
        sv_principal_minor=figures.sv_principal - settled.deduct_principal,
        sv_bonus_minor=figures.sv_bonus - settled.deduct_bonus,
    )  # fmt: skip
    _lines_write(document_id, plans)
    member_stats_return(
        member_id=sale.member_id, event_at=ret.event_at, value_minor=figures.value,
        items=sum(p.quantity for p in plans), points=figures.points, categories=_categories(plans),
    )  # fmt: skip
    # Points taken back come off the gift-ladder month of the original sale.
    gift_ladder_record(member_id=sale.member_id, program=program, points=-figures.points, event_at=sale.event_at,
                       now=w.request.now)  # fmt: skip
    w.audit("checkout.return", original=sale.public_id, value_minor=figures.value)
    return receipt


def _return_legs(
    *,
    sale: Document,
    w: Write,
    figures: ReturnFigures,
    settled: ShortfallSettlement,
    taken_back: list[tuple[int | None, int]],
) -> list[Leg]:
    """Take-backs go to the accounts of the store that made the sale; zero amounts open no account.

    Stored value goes back to the stores it was spent from, first spent first, as new lots (settlement).
    """
    a, cur, here = w.accounts, sale.program.currency, sale.store_id
    back = {PRINCIPAL: figures.sv_principal - settled.deduct_principal, BONUS: figures.sv_bonus - settled.deduct_bonus}
    spent = sv_spent_unrestored(posting_ids=_sale_posting_ids(sale), store_id=here) if any(back.values()) else {}
    legs: list[Leg] = []
    lots: list[tuple[str, int, int]] = []
    for kind, member_account, out in ((PRINCIPAL, a.sv_principal.id, AccountKind.STORE_SV_PRINCIPAL_OUT),
                                      (BONUS, a.sv_bonus.id, AccountKind.STORE_SV_BONUS_OUT)):  # fmt: skip
        if not back[kind]:
            continue
        origins, _rest = origins_split(spent[kind], back[kind])
        assert sum(amount for _, amount in origins) == back[kind], "a return gives back more than its sale spent"
        store = store_account_id(program_id=sale.program_id, store_id=here, kind=out, unit=cur)
        legs += [Leg(member_account, cur, back[kind]),
                 *legs_by_origin(store, cur, origins, home_store_id=here, sign=-1)]  # fmt: skip
        lots += [(kind, origin, amount) for origin, amount in origins]
    sv_lots_add(program_id=sale.program_id, member_id=w.member.id, lots=lots, source_type="return",
                source_id=w.document_id, now=w.request.now)  # fmt: skip
    return legs + points_take_back_legs(a, program_id=sale.program_id, store_id=here, settled=settled,
                                        taken_back=taken_back)  # fmt: skip


def _sale_posting_ids(sale: Document) -> list[int]:
    documents = Document.objects.filter(Q(id=sale.id) | Q(original_id=sale.id, kind=Document.Kind.RETURN))
    return [pid for pid in documents.values_list("posting_id", flat=True) if pid is not None]


def points_take_back_legs(
    a: MemberAccounts,
    *,
    program_id: int,
    store_id: int,
    settled: ShortfallSettlement,
    taken_back: list[tuple[int | None, int]],
) -> list[Leg]:
    """Points a return or a top-up refund takes back: from the balance, as debt, or bought back in money.

    ``taken_back`` is what the balance gave per issuing store (``lots_consume``): points of another store's lots
    taken back here name that store, which no longer owes them.
    """
    if not (settled.from_balance or settled.as_debt or settled.in_money):
        return []  # opens no account
    issued = store_account_id(program_id=program_id, store_id=store_id, kind=AccountKind.STORE_POINTS_ISSUED,
                              unit=POINTS)  # fmt: skip
    legs = []
    if settled.from_balance:
        legs += [Leg(a.points.id, POINTS, -settled.from_balance),
                 *legs_by_origin(issued, POINTS, taken_back, home_store_id=store_id)]  # fmt: skip
    if settled.as_debt:
        legs += [Leg(a.points_debt.id, POINTS, -settled.as_debt), Leg(issued, POINTS, settled.as_debt)]
    if settled.in_money:
        # Points the member no longer holds, bought back by cutting the refund: they leave circulation here.
        shortfall = store_account_id(program_id=program_id, store_id=store_id,
                                     kind=AccountKind.STORE_POINTS_SHORTFALL, unit=POINTS)  # fmt: skip
        legs += [Leg(shortfall, POINTS, -settled.in_money), Leg(issued, POINTS, settled.in_money)]
    return legs


def _lines_write(document_id: IdOf, plans: list[ReturnLinePlan]) -> None:
    rows = [
        (document_id, index, p.original.sku, p.original.name, p.original.brand, p.original.category, p.quantity,
         p.original.unit_price_minor, 0, p.value, 0, p.points, p.original.id)
        for index, p in enumerate(plans, start=1)
    ]  # fmt: skip
    sql_insert(DocumentLine._meta.db_table, LINE_COLUMNS, rows)


def _categories(plans: list[ReturnLinePlan]) -> dict[str, CategoryMove]:
    moves: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in plans:
        moves[p.original.category][0] += p.quantity
        moves[p.original.category][1] += p.value
    return {name: CategoryMove(quantity=q, value_minor=v) for name, (q, v) in moves.items()}


def _figures_body(figures: ReturnFigures) -> dict[str, int]:
    return {
        "value_minor": figures.value,
        "points": figures.points,
        "sv_principal_minor": figures.sv_principal,
        "sv_bonus_minor": figures.sv_bonus,
        "external_minor": figures.external,
    }


def _settled_body(settled: ShortfallSettlement) -> dict[str, int]:
    return {
        "from_balance": settled.from_balance,
        "as_debt": settled.as_debt,
        "in_money": settled.in_money,
        "deducted_minor": settled.deducted_minor,
    }


def _receipt_fields(sale: Document, figures: ReturnFigures, settled: ShortfallSettlement) -> dict[str, Any]:
    return {
        "original_pos_number": sale.pos_number,
        "value_minor": figures.value,
        "refund": {
            "stored_value": {
                "principal_minor": figures.sv_principal - settled.deduct_principal,
                "bonus_minor": figures.sv_bonus - settled.deduct_bonus,
            },
            "other_tenders_minor": figures.external - settled.deduct_external,
            "deducted_for_spent_points_minor": settled.deducted_minor,
        },
        "points": {"taken_back": figures.points, **_settled_body(settled)},
    }

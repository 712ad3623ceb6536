"""Top-up refunds: principal paid back, the bonus that came with it taken back (docs/ledger.md). Idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from tessera.checkout.commands import TopUpRefundIn
from tessera.checkout.errors import AmountInvalid, LineInvalid
from tessera.checkout.models import Document, Tender
from tessera.checkout.rules import ReturnFigures, ShortfallPolicy, ShortfallSettlement, shortfall_settle
from tessera.checkout.services.common import currency_check, tier_change_body
from tessera.checkout.services.flow import Request, Write, pos_write
from tessera.checkout.services.lines import TENDER_COLUMNS
from tessera.checkout.services.returns import points_take_back_legs
from tessera.checkout.services.top_up import TOP_UP_TENDERS
from tessera.coupons.models import Coupon
from tessera.coupons.services import coupon_void
from tessera.kit.actor import Actor
from tessera.kit.db import sql_insert
from tessera.kit.money import AMOUNT_MINOR_MAX
from tessera.kit.outcome import Outcome
from tessera.ledger.models import AccountKind
from tessera.ledger.rules import Leg, legs_by_origin
from tessera.ledger.services import store_account_id
from tessera.members.models import Member
from tessera.members.stats import member_stats_top_up
from tessera.points.services import lots_consume, points_available
from tessera.tiers.services import tier_facts_record
from tessera.wallet.errors import TopUpFullyRefunded, TopUpNotFound
from tessera.wallet.rules import (
    RefundFigures,
    Take,
    ToppedUp,
    by_origin,
    lots_preferring,
    lots_take,
    origins_split,
    top_up_refund_figures,
)
from tessera.wallet.services import BONUS, PRINCIPAL, sv_lots_consume, sv_lots_open_read


def top_up_refund_commit(*, actor: Actor, refund: TopUpRefundIn, request_key: str, now: datetime) -> Outcome:
    """Pay back all or part of a top-up made at this store. Idempotent.

    :raises TopUpNotFound: no such top-up at this store.
    :raises TopUpFullyRefunded: it has been refunded in full already.
    :raises TopUpRefundExceedsTopUp, TopUpRefundPrincipalSpent, TopUpRefundBonusSpent: see ``top_up_refund_figures``.
    """
    if refund.amount_minor is not None and not 1 <= refund.amount_minor <= AMOUNT_MINOR_MAX:
        raise AmountInvalid(max=AMOUNT_MINOR_MAX)
    if refund.tender_kind not in TOP_UP_TENDERS:
        reason = _("a top-up cannot be paid back as %(kind)s") % {"kind": refund.tender_kind}
        raise LineInvalid(line_no="-", reason=reason)
    request = Request(actor=actor, kind=Document.Kind.TOP_UP_REFUND, pos_number=refund.pos_number,
                      event_at=refund.event_at, request_key=request_key, body=refund.canonical(), now=now)  # fmt: skip

    def find(_: None) -> tuple[Member, tuple[TopUpRefundIn, Document]]:
        # The member's account locks, taken next, serialise every refund of this top-up: "refunded before" is exact.
        top_up = (
            Document.objects.select_related("member__program")
            .filter(store_id=actor.store_id, kind=Document.Kind.TOP_UP, pos_number=refund.original_pos_number)
            .first()
        )
        if top_up is None:
            raise TopUpNotFound(pos_number=refund.original_pos_number)
        currency_check(given=top_up.currency, actor=actor)
        return top_up.member, (refund, top_up)

    # The card's lots, read under the lock: the refund takes its principal and bonus from them.
    return pos_write(request, find=find, write=_refund_write,
                     reads=lambda member: [sv_lots_open_read(member_id=member.id)])  # fmt: skip


def _refund_write(w: Write, found: tuple[TopUpRefundIn, Document]) -> dict[str, Any]:
    refund, top_up = found
    program, cur, now = w.program, top_up.currency, w.request.now
    figures = _figures(w, refund, top_up)
    # Bonus points the member has spent are settled as a return settles them: debt, or cut from the money paid.
    settled = shortfall_settle(
        points=figures.points, balance=points_available(member_id=w.member.id, now=now),
        refund=ReturnFigures(figures.paid_out, figures.points, 0, 0),
        policy=ShortfallPolicy(program.return_shortfall_policy), value=program.point_value,
    )  # fmt: skip
    taken_back = lots_consume(member_id=w.member.id, points=settled.from_balance, now=now,
                              prefer_source_id=top_up.public_id)  # fmt: skip
    # This top-up's own lots first, then the card's oldest: what is paid back may be money another store holds.
    (lots,) = w.seen
    lots = lots_preferring(lots, top_up.public_id)
    takes = lots_take(lots, kind=PRINCIPAL, amount=figures.principal)
    takes += lots_take(lots, kind=BONUS, amount=figures.bonus_clawed)
    details = {"original": top_up.public_id, "figures": _figures_body(figures, settled)}
    legs = _refund_legs(w, top_up, figures, settled, takes=takes, taken_back=taken_back)
    posting = w.post(legs, details=details)
    sv_lots_consume(takes)
    voided, kept = _coupons_void(w, top_up) if figures.whole else ([], [])
    # The principal put in stops counting toward a stored-value tier; as with returns, never a downgrade at once.
    change = tier_facts_record(member_id=w.member.id, program=program, stored_value_minor=-figures.principal,
                               event_at=top_up.event_at, now=now)  # fmt: skip
    paid = figures.paid_out - settled.deduct_external
    receipt = w.receipt(
        posting, cur, original_pos_number=top_up.pos_number, refund=_figures_body(figures, settled),
        points={"taken_back": figures.points, "from_balance": settled.from_balance, "as_debt": settled.as_debt,
                "in_money": settled.in_money},
        coupons_voided=voided, coupons_kept=kept, fully_refunded=figures.whole,
        gift=str(top_up.receipt.get("gift", "")) if figures.whole else "", tier_change=tier_change_body(change),
    )  # fmt: skip
    document_id = w.record(posting, receipt, original_id=top_up.id, currency=cur, total_minor=paid,
                           sv_principal_minor=figures.principal, sv_bonus_minor=figures.bonus_clawed,
                           points=figures.points)  # fmt: skip
    if paid:
        sql_insert(Tender._meta.db_table, TENDER_COLUMNS, [(document_id, refund.tender_kind, paid, "")])
    member_stats_top_up(member_id=w.member.id, amount_minor=-figures.principal, count=0)
    w.audit("wallet.top_up_refund", original=top_up.public_id, amount_minor=figures.principal, paid_minor=paid)
    return receipt


def _figures(w: Write, refund: TopUpRefundIn, top_up: Document) -> RefundFigures:
    """The refund's figures from what its top-up gave, what was refunded before and the locked balances."""
    before = Document.objects.filter(original=top_up, kind=Document.Kind.TOP_UP_REFUND).aggregate(
        p=Sum("sv_principal_minor")
    )["p"] or 0  # fmt: skip
    if before >= top_up.sv_principal_minor:
        raise TopUpFullyRefunded(pos_number=top_up.pos_number)
    granted = ToppedUp(top_up.sv_principal_minor, top_up.sv_bonus_minor, int(top_up.receipt.get("bonus_points", 0)))
    return top_up_refund_figures(
        top_up=granted, refunded_before=before, requested=refund.amount_minor, currency=top_up.currency,
        principal_balance=w.accounts.sv_principal.balance or 0, bonus_balance=w.accounts.sv_bonus.balance or 0,
    )  # fmt: skip


def _refund_legs(
    w: Write,
    top_up: Document,
    f: RefundFigures,
    settled: ShortfallSettlement,
    *,
    takes: list[Take],
    taken_back: list[tuple[int | None, int]],
) -> list[Leg]:
    """Principal back to the store that took it in, less what the member owes for bonus and points spent.

    Principal kept for spent bonus counts as principal spent, and that bonus moves from "spent" back to
    "granted": the card's liability falls by exactly what it held of this top-up, and the store's accounts show
    the spent bonus paid for with principal.
    """
    a, cur, here = w.accounts, top_up.currency, top_up.store_id

    def store(kind: AccountKind) -> int:
        return store_account_id(program_id=top_up.program_id, store_id=here, kind=kind, unit=cur)

    kept = f.bonus_spent + settled.deduct_external
    paid, kept_from = origins_split(by_origin([t for t in takes if t.kind == PRINCIPAL]), f.principal - kept)
    legs = [Leg(a.sv_principal.id, cur, -f.principal),
            *legs_by_origin(store(AccountKind.STORE_SV_PRINCIPAL_IN), cur, paid, home_store_id=here),
            *legs_by_origin(store(AccountKind.STORE_SV_PRINCIPAL_OUT), cur, kept_from, home_store_id=here)]  # fmt: skip
    if f.bonus_clawed:
        clawed = by_origin([t for t in takes if t.kind == BONUS])
        legs += [Leg(a.sv_bonus.id, cur, -f.bonus_clawed),
                 *legs_by_origin(store(AccountKind.STORE_SV_BONUS_IN), cur, clawed, home_store_id=here)]  # fmt: skip
    if f.bonus_spent:
        legs += [Leg(store(AccountKind.STORE_SV_BONUS_OUT), cur, -f.bonus_spent),
                 Leg(store(AccountKind.STORE_SV_BONUS_IN), cur, f.bonus_spent)]  # fmt: skip
    return legs + points_take_back_legs(a, program_id=top_up.program_id, store_id=here, settled=settled,
                                        taken_back=taken_back)  # fmt: skip


def _coupons_void(w: Write, top_up: Document) -> tuple[list[str], list[str]]:
    """Void the coupons the top-up gave that are still unused; returns (voided, kept) codes.

    A coupon already redeemed discounted a sale that stands, and one held by a checkout under way may yet be;
    both are kept and named on the receipt.
    """
    voided: list[str] = []
    kept: list[str] = []
    open_or_used = [Coupon.State.ISSUED, Coupon.State.HELD, Coupon.State.REDEEMED]
    coupons = Coupon.objects.filter(source="top_up", source_id=top_up.public_id, state__in=open_or_used).order_by("id")
    for coupon_id, code in coupons.values_list("id", "code"):
        done = coupon_void(coupon_id=coupon_id, actor=w.request.actor, now=w.request.now, document=w.document_id)
        (voided if done else kept).append(code)
    return voided, kept


def _figures_body(f: RefundFigures, settled: ShortfallSettlement) -> dict[str, int]:
    return {
        "principal_minor": f.principal,
        "bonus_clawed_minor": f.bonus_clawed,
        "bonus_spent_kept_minor": f.bonus_spent,
        "points_kept_minor": settled.deduct_external,
        "paid_out_minor": f.paid_out - settled.deduct_external,
    }

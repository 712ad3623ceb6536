"""Top-ups: principal paid in at the till, plus any bonus the programme's bands grant. Idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from tessera.checkout.commands import TopUpIn
from tessera.checkout.errors import AmountInvalid, LineInvalid, StoredValueNotAccepted
from tessera.checkout.models import Tender
from tessera.checkout.services.common import (
    currency_check,
    member_for_actor,
    member_found_check,
    member_lookup_read,
    tier_change_body,
)
from tessera.checkout.services.flow import Request, Write, pos_write
from tessera.checkout.services.lines import TENDER_COLUMNS
from tessera.coupons.errors import CouponIssueLimitReached, CouponTemplateInactive
from tessera.coupons.models import CouponTemplate
from tessera.coupons.services import IssueSource, coupon_issue
from tessera.kit.actor import Actor
from tessera.kit.db import db_datetime, sql_insert, sql_reads
from tessera.kit.money import AMOUNT_MINOR_MAX
from tessera.kit.outcome import Outcome
from tessera.ledger.models import POINTS, AccountKind
from tessera.ledger.rules import Leg
from tessera.ledger.services import store_account_id
from tessera.members.lifecycle import member_card_require_valid
from tessera.members.models import Member
from tessera.members.selectors import member_balances
from tessera.members.stats import member_stats_top_up
from tessera.points.services import lot_add
from tessera.tiers.services import tier_facts_record
from tessera.wallet.models import TopUpBonusGrant
from tessera.wallet.rules import top_up_refusal
from tessera.wallet.selectors import TopUpBonus, bonus_received_read, stored_value_limits_get, top_up_bonus_get
from tessera.wallet.services import BONUS, PRINCIPAL, sv_lots_add

# A top-up is paid with money from outside the programme, never with stored value itself.
TOP_UP_TENDERS = frozenset(Tender.Kind.values) - {Tender.Kind.STORED_VALUE, Tender.Kind.POINTS}


def top_up_commit(*, actor: Actor, top_up: TopUpIn, request_key: str, now: datetime) -> Outcome:
    """Add stored value to a member's wallet.

    :raises AmountInvalid: the amount is not between 1 and the maximum.
    :raises StoredValueNotAccepted: the programme keeps stored value in another currency.
    :raises BalanceCeilingExceeded: the wallet would exceed its cap.
    :raises TopUpAboveBalanceCap: principal and bonus would take the card above its profile's cap.
    :raises TopUpAboveSingleMaximum: the amount is above the profile's maximum single top-up.
    """
    currency_check(given=top_up.currency, actor=actor)
    if not 1 <= top_up.amount_minor <= AMOUNT_MINOR_MAX:
        raise AmountInvalid(max=AMOUNT_MINOR_MAX)
    if top_up.tender_kind not in TOP_UP_TENDERS:
        reason = _("a top-up cannot be paid by %(kind)s") % {"kind": top_up.tender_kind}
        raise LineInvalid(line_no="-", reason=reason)
    request = Request(actor=actor, kind="top_up", pos_number=top_up.pos_number, event_at=top_up.event_at,
                      request_key=request_key, body=top_up.canonical(), now=now)  # fmt: skip

    def find(looked: Member | None) -> tuple[Member, TopUpIn]:
        member = member_found_check(looked)
        member_card_require_valid(member=member, at=top_up.event_at)
        if member.program.currency != top_up.currency:
            raise StoredValueNotAccepted(currency=member.program.currency, given=top_up.currency)
        return member, top_up

    lookup = member_lookup_read(actor=actor, reference=top_up.member)
    return pos_write(request, find=find, write=_top_up_write, lookup=lookup,
                     reads=lambda member: [bonus_received_read(member_id=member.id)])  # fmt: skip


def _top_up_write(w: Write, top_up: TopUpIn) -> dict[str, Any]:
    program, cur, amount = w.program, w.program.currency, top_up.amount_minor
    (received,) = w.seen  # per-member counts of each rule, read under the lock: two tills cannot both pass a limit
    granted = top_up_bonus_get(program_id=program.id, amount_minor=amount, at=top_up.event_at, received=received)
    bonus = granted.minor
    # The balances are the locked ones (pos_write locked the member's accounts), so two tills topping up the same
    # card at once are checked one after the other and neither can take it over the cap. Every member is enrolled
    # with a phone and a name, so every card is named (ADR 0015).
    balance = (w.accounts.sv_principal.balance or 0) + (w.accounts.sv_bonus.balance or 0)
    refusal = top_up_refusal(limits=stored_value_limits_get(program_id=program.id), named=True,
                             balance_minor=balance, amount_minor=amount, bonus_minor=bonus, currency=cur)  # fmt: skip
    if refusal is not None:
        raise refusal

    def store(kind: AccountKind) -> int:
        return store_account_id(program_id=program.id, store_id=w.request.actor.store_id, kind=kind, unit=cur)

    legs = [Leg(w.accounts.sv_principal.id, cur, amount), Leg(store(AccountKind.STORE_SV_PRINCIPAL_IN), cur, -amount)]
    if bonus:
        legs += [Leg(w.accounts.sv_bonus.id, cur, bonus), Leg(store(AccountKind.STORE_SV_BONUS_IN), cur, -bonus)]
    if granted.points:
        issued = store_account_id(program_id=program.id, store_id=w.request.actor.store_id,
                                  kind=AccountKind.STORE_POINTS_ISSUED, unit=POINTS)  # fmt: skip
        legs += [Leg(w.accounts.points.id, POINTS, granted.points), Leg(issued, POINTS, -granted.points)]
    rule = "top_up_rule" if granted.rule else "top_up_band"
    posting = w.post(legs, details={"bonus": {"rule": rule, **granted.as_dict()}})
    # The money and the bonus are this store's until spent: settlement follows them through these lots.
    here = w.request.actor.store_id
    sv_lots_add(program_id=program.id, member_id=w.member.id, lots=[(PRINCIPAL, here, amount), (BONUS, here, bonus)],
                source_type="top_up", source_id=w.document_id, now=w.request.now)  # fmt: skip
    coupons = _bonus_grants_write(w, top_up, granted)
    # Stored value put in can set the tier (seed 000's salon ladder); the bonus is a gift, not money put in.
    change = tier_facts_record(member_id=w.member.id, program=program, stored_value_minor=amount,
                               event_at=top_up.event_at, now=w.request.now)  # fmt: skip
    receipt = w.receipt(posting, cur, amount_minor=amount, bonus_minor=bonus, bonus_points=granted.points,
                        bonus_coupons=coupons, gift=granted.gift, bonus_rule=granted.rule.name if granted.rule else "",
                        tier_change=tier_change_body(change))  # fmt: skip
    document_id = w.record(posting, receipt, currency=cur, total_minor=amount, sv_principal_minor=amount,
                        sv_bonus_minor=bonus)  # fmt: skip
    sql_insert(Tender._meta.db_table, TENDER_COLUMNS, [(document_id, top_up.tender_kind, amount, "")])
    member_stats_top_up(member_id=w.member.id, amount_minor=amount)
    w.audit("wallet.top_up", amount_minor=amount)
    return receipt


def _bonus_grants_write(w: Write, top_up: TopUpIn, granted: TopUpBonus) -> list[str]:
    """The points lot, the coupons and the per-member count of a rule's bonus; returns the coupon codes.

    A coupon template that has run out (or was switched off) gives no coupon rather than refusing the money;
    the receipt shows what was given, as the quote did.
    """
    now = w.request.now
    if granted.points:
        lot_add(program=w.program, member_id=w.member.id, store_id=w.request.actor.store_id, points=granted.points,
                source_type="top_up", source_id=w.document_id, earned_at=top_up.event_at, now=now)  # fmt: skip
    codes: list[str] = []
    if granted.coupon_template_id is not None:
        template = CouponTemplate.objects.get(id=granted.coupon_template_id)
        try:
            issued = coupon_issue(template=template, member=w.member, actor=w.request.actor, now=now,
                                  source=IssueSource("top_up", w.document_id), count=granted.coupon_count)  # fmt: skip
        except (CouponIssueLimitReached, CouponTemplateInactive):
            issued = []
        codes = [c.code for c in issued]
    if granted.rule is not None:
        sql_insert(TopUpBonusGrant._meta.db_table, ["rule_id", "member_id", "document", "granted_at"],
                   [(granted.rule.id, w.member.id, w.document_id, db_datetime(now))])  # fmt: skip
    return codes


def top_up_quote(*, actor: Actor, top_up: TopUpIn, now: datetime) -> dict[str, Any]:
    """What a top-up would give (bonus stored value, points, coupons, a gift) and whether a cap refuses it.

    Writes nothing and takes no locks; the commit decides again under the member's lock.
    """
    currency_check(given=top_up.currency, actor=actor)
    if not 1 <= top_up.amount_minor <= AMOUNT_MINOR_MAX:
        raise AmountInvalid(max=AMOUNT_MINOR_MAX)
    member = member_for_actor(actor=actor, reference=top_up.member)
    program, amount = member.program, top_up.amount_minor
    (received,) = sql_reads([bonus_received_read(member_id=member.id)])
    granted = top_up_bonus_get(program_id=program.id, amount_minor=amount, at=top_up.event_at, received=received)
    balances = member_balances(member=member)
    refusal = top_up_refusal(limits=stored_value_limits_get(program_id=program.id), named=True,
                             balance_minor=balances.sv_principal_minor + balances.sv_bonus_minor,
                             amount_minor=amount, bonus_minor=granted.minor, currency=program.currency)  # fmt: skip
    coupon = None
    if granted.coupon_template_id is not None:
        template = CouponTemplate.objects.get(id=granted.coupon_template_id)
        coupon = {"template": template.code, "count": granted.coupon_count}
    return {
        "member_id": member.public_id, "currency": program.currency, "amount_minor": amount,
        "bonus_minor": granted.minor, "bonus_points": granted.points, "bonus_coupon": coupon, "gift": granted.gift,
        "bonus_rule": granted.rule.name if granted.rule else "",
        "refusal": None if refusal is None else {"code": refusal.code, "message": refusal.text()},
        "balances_before": balances.as_dict(),
    }  # fmt: skip

"""Sales: a dry-run quote and an idempotent commit. The arithmetic lives in sale_plan.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from tessera.checkout.commands import SaleIn
from tessera.checkout.models import DocumentLine, Tender
from tessera.checkout.services.common import (
    currency_check,
    event_at_check,
    member_for_actor,
    member_found_check,
    member_lookup_read,
    tier_change_body,
)
from tessera.checkout.services.flow import Request, Write, pos_write
from tessera.checkout.services.lines import LINE_COLUMNS, TENDER_COLUMNS, lines_validate, tendered, tenders_shape_check
from tessera.checkout.services.sale_coupons import (
    boost_of,
    coupon_reads,
    coupons_body,
    first_purchase_read,
    sale_basket,
    sale_codes,
)
from tessera.checkout.services.sale_plan import Benefits, CheckedSale, SalePlan, Wallet, member_discounts, plan_sale
from tessera.coupons.rules import Basket, Combination
from tessera.coupons.selectors import coupons_open_read, held_coupons, template_views
from tessera.coupons.services import coupons_choose, coupons_hold, coupons_redeem, hold_key_for
from tessera.kit.actor import Actor
from tessera.kit.db import IdOf, Read, sql_insert, sql_reads
from tessera.kit.money import amount_text
from tessera.kit.outcome import Outcome
from tessera.ledger.models import POINTS, AccountKind
from tessera.ledger.rules import Leg, legs_by_origin
from tessera.ledger.services import store_account_id
from tessera.members.lifecycle import join_threshold_check, member_card_require_valid
from tessera.members.models import Member
from tessera.members.selectors import member_balances
from tessera.members.services import Profile, member_join, program_for_store
from tessera.members.stats import CategoryMove, member_stats_sale
from tessera.points.selectors import points_redeem_only
from tessera.points.services import lot_add, lots_consume, points_available
from tessera.programs.models import Program
from tessera.programs.selectors import partner_terms
from tessera.rewards.services import gift_ladder_record, gift_month_read
from tessera.stores.selectors import store_timezone_read
from tessera.tiers.selectors import TierPlace, tier_benefits_get, tier_place_read
from tessera.tiers.services import tier_facts_record
from tessera.wallet.errors import StoredValueNotShared
from tessera.wallet.rules import OpenLot, Take, by_origin, held_of, lots_take, lots_usable
from tessera.wallet.selectors import stored_value_shared
from tessera.wallet.services import BONUS, PRINCIPAL, sv_lots_consume, sv_lots_open_read


def _check(sale: SaleIn, *, actor: Actor) -> CheckedSale:
    currency_check(given=sale.currency, actor=actor)
    gross = lines_validate(sale.lines)
    tenders_shape_check(sale.tenders)
    return CheckedSale(sale=sale, gross=gross)


def _benefits(member: Member, merchant_id: int, place: TierPlace | None = None) -> Benefits:
    """The member's tier benefits at the till; a member not yet on the ladder (or joining now) holds its base tier.

    ``place`` is the member's place on the ladder when checkout has read it already. The tier name is in the
    language of the request, for the receipt. At an alliance partner's store (``merchant_id``) the partner's own
    discount and earn rate, where it set them, take the place of the tier's discount and the programme's rate.
    """
    language = get_language() or "en"
    tier = tier_benefits_get(member_id=member.id, program=member.program, language=language, place=place)
    benefits = Benefits() if tier is None else Benefits(
        tier_code=tier.tier_code, tier_name=tier.tier_name, discount_bp=tier.discount_bp,
        excluded_categories=frozenset(tier.excluded_categories), multiplier_permille=tier.multiplier_permille,
    )  # fmt: skip
    terms = partner_terms(program=member.program, merchant_id=merchant_id)
    if terms is None:
        return benefits
    if terms.discount_bp is not None:
        benefits = replace(benefits, discount_bp=terms.discount_bp, excluded_categories=frozenset())
    return replace(benefits, earn_rate=terms.rate) if terms.rate else benefits


def sale_quote(*, actor: Actor, sale: SaleIn, now: datetime, hold: bool = False) -> dict[str, Any]:
    """What committing ``sale`` would do now, without taking locks.

    The coupons the member holds are checked against the basket: the ones the till chose (``sale.coupons``),
    or else the best allowed combination. With ``hold`` the coupons used are held for this checkout (its store
    and POS number) for ``TESSERA_COUPON_HOLD_SECONDS``; that hold is the only thing a quote writes.
    """
    event_at_check(sale.event_at, now)
    checked = _check(sale, actor=actor)
    member = _quote_member(checked, actor=actor)
    balances = member_balances(member=member)
    principal, bonus = balances.sv_principal_minor, balances.sv_bonus_minor
    if member.id and tendered(sale.tenders, "stored_value") and not stored_value_shared(member.program.alliance_id):
        (lots,) = sql_reads([sv_lots_open_read(member_id=member.id)])
        usable = _usable_lots(lots, sale, program=member.program, merchant_id=actor.merchant_id) or []
        principal, bonus = held_of(usable, PRINCIPAL), held_of(usable, BONUS)
    only = points_redeem_only(member.program, actor.merchant_id)
    wallet = Wallet(principal=principal, bonus=bonus, owed=balances.points_debt,
                    points_available=points_available(member_id=member.id, now=now, only=only))  # fmt: skip
    benefits = _benefits(member, actor.merchant_id)
    key = hold_key_for(store_id=actor.store_id, pos_number=sale.pos_number)
    combination, basket, coupons = _quote_coupons(checked, member=member, benefits=benefits, actor=actor, hold_key=key)
    plan = plan_sale(checked, program=member.program, member=member, wallet=wallet, benefits=benefits,
                     quoting=True, coupons=combination, boost=boost_of(combination, basket))  # fmt: skip
    if hold and combination.uses:
        until = now + timedelta(seconds=settings.TESSERA_COUPON_HOLD_SECONDS)
        coupons["held"] = coupons_hold(combination, actor=actor, hold_key=key, until=until, now=now)
        coupons["held_until"] = until.isoformat()
    return {
        "member_id": member.public_id,
        "currency": sale.currency,
        "total_minor": plan.total,
        "tenders_match": sum(t.amount_minor for t in sale.tenders) == plan.total,
        **plan.payment_body(),
        "points": plan.points_body(),
        "coupons": coupons,
        "balances_before": balances.as_dict(),
    }


def _quote_coupons(
    checked: CheckedSale, *, member: Member, benefits: Benefits, actor: Actor, hold_key: str
) -> tuple[Combination, Basket, dict[str, Any]]:
    """The coupons a quote uses, the basket they were judged on, and the receipt part with every coupon held."""
    sale, program = checked.sale, member.program
    amounts = [g - d for g, d in zip(checked.gross, member_discounts(checked, benefits), strict=True)]
    codes = sale_codes(sale)
    joining = not member.id  # a customer joining with this sale holds no coupon and has bought nothing yet
    found, first, zone = sql_reads([
        None if joining else coupons_open_read(member_id=member.id, at=sale.event_at, codes=codes or ()),
        None if joining else first_purchase_read(member.id), store_timezone_read(store_id=actor.store_id),
    ])  # fmt: skip
    basket = sale_basket(sale, amounts, timezone=zone, store_id=actor.store_id, tier_code=benefits.tier_code,
                         first_purchase=joining or first)  # fmt: skip
    held = held_coupons(found or [], template_views(program), hold_key=hold_key, at=sale.event_at)
    combination = coupons_choose(held, basket, codes)
    return combination, basket, coupons_body(combination, basket, program=program, held=held)


def _quote_member(checked: CheckedSale, *, actor: Actor) -> Member:
    """The member a quote prices for; a customer joining with this sale is quoted as a new, unsaved member."""
    sale = checked.sale
    if sale.join is None:
        return member_for_actor(actor=actor, reference=sale.member)
    program = program_for_store(merchant_id=actor.merchant_id, program_public_id=None)
    join_threshold_check(program, sum(checked.gross))
    return Member(id=0, public_id="", program=program, birthday=sale.join.birthday)


def sale_commit(*, actor: Actor, sale: SaleIn, request_key: str, now: datetime) -> Outcome:
    """Record a sale: discounts, stored value and points spent, points earned, statistics. Idempotent.

    :raises IdempotencyKeyReused: the key was used for a different request.
    :raises DocumentNumberConflict: the POS number was used for a different document at this store.
    :raises InsufficientBalance: stored value or points beyond the member's balance (checked under lock).
    :raises TenderMismatch: the tenders do not pay the total after the member's discount.
    """
    checked = _check(sale, actor=actor)
    codes = sale_codes(sale)
    request = Request(actor=actor, kind="sale", pos_number=sale.pos_number, event_at=sale.event_at,
                      request_key=request_key, body=sale.canonical(), now=now)  # fmt: skip

    def find(looked: Member | None) -> tuple[Member, CheckedSale]:
        return _sale_member(checked, looked, actor=actor, now=now), checked

    def reads(member: Member) -> list[Read[Any] | None]:
        # What the sale decides from, read with the member's account lock in the same round trip.
        return [tier_place_read(member_id=member.id, program=member.program, enrolled_at=member.enrolled_at),
                gift_month_read(member_id=member.id, program=member.program, event_at=sale.event_at),
                sv_lots_open_read(member_id=member.id) if tendered(sale.tenders, "stored_value") else None,
                *coupon_reads(member, codes, store_id=actor.store_id)]  # fmt: skip

    lookup = member_lookup_read(actor=actor, reference=sale.member) if sale.join is None else None
    key = hold_key_for(store_id=actor.store_id, pos_number=sale.pos_number)
    write = partial(_sale_write, codes=codes, hold_key=key)
    return pos_write(request, find=find, write=write, lookup=lookup, reads=reads)


def _sale_member(checked: CheckedSale, looked: Member | None, *, actor: Actor, now: datetime) -> Member:
    """The member buying: found by reference (``looked``), or enrolled by this very purchase; their card must be
    valid."""
    sale = checked.sale
    if sale.join is None:
        member = member_found_check(looked)
        member_card_require_valid(member=member, at=sale.event_at)
        return member
    program = program_for_store(merchant_id=actor.merchant_id, program_public_id=None)
    join_threshold_check(program, sum(checked.gross))
    j = sale.join
    profile = Profile(phone=j.phone, name=j.name, birthday=j.birthday, gender=j.gender, locale=j.locale, email=j.email)
    return member_join(program=program, profile=profile, actor=actor, at=sale.event_at, now=now)


def _sale_write(w: Write, checked: CheckedSale, *, codes: list[str] | None, hold_key: str) -> dict[str, Any]:
    """The sale's writes, under the member's lock; ``codes`` were cleaned once, by ``sale_commit``."""
    a, now, sale = w.accounts, w.request.now, checked.sale
    place, month, sv_lots, *coupon_seen = w.seen
    # Only a points tender needs the unexpired lots (lots_consume checks them again under the same lock).
    paying = bool(tendered(sale.tenders, "points"))
    only = points_redeem_only(w.program, w.request.actor.merchant_id) if paying else None
    available = points_available(member_id=w.member.id, now=now, only=only) if paying else 0
    sv_lots = _usable_lots(sv_lots, sale, program=w.program, merchant_id=w.request.actor.merchant_id)
    principal, bonus = (held_of(sv_lots, PRINCIPAL), held_of(sv_lots, BONUS)) if sv_lots is not None else (
        a.sv_principal.balance or 0, a.sv_bonus.balance or 0)  # fmt: skip
    wallet = Wallet(principal=principal, bonus=bonus, owed=-(a.points_debt.balance or 0),
                    points_available=available)  # fmt: skip
    benefits = _benefits(w.member, w.request.actor.merchant_id, place)
    combination, basket = _sale_coupons(w, checked, benefits, coupon_seen, codes=codes, hold_key=hold_key)
    plan = plan_sale(checked, program=w.program, member=w.member, wallet=wallet, benefits=benefits,
                     coupons=combination, boost=boost_of(combination, basket) if basket else None)  # fmt: skip
    burned = lots_consume(member_id=w.member.id, points=plan.burn.points, now=now, only=only) if plan.burn else []
    takes = _stored_value_takes(sv_lots or [], plan)
    posting = w.post(_sale_legs(w, plan, takes=takes, burned=burned), details={"earning": plan.earning.as_dict()})
    sv_lots_consume(takes)
    if plan.points_credited:
        lot_add(program=w.program, member_id=w.member.id, store_id=w.request.actor.store_id,
                points=plan.points_credited, source_type="sale", source_id=w.document_id, earned_at=sale.event_at,
                now=now)  # fmt: skip
    # Counted before the receipt is written so that it shows an upgrade this sale earned (seed 002: "the moment
    # the points are earned"); the discount above is the tier held when the sale began.
    change = tier_facts_record(member_id=w.member.id, program=w.program, points=plan.points,
                               spend_minor=plan.total, purchases=1, event_at=sale.event_at, now=now,
                               place=place)  # fmt: skip
    coupons = coupons_body(combination, basket, program=w.program) if basket else {"total_minor": 0, "used": []}
    receipt = w.receipt(posting, sale.currency, total_minor=plan.total, points=plan.points_body(),
                        tier_change=tier_change_body(change), coupons=coupons, **plan.payment_body())  # fmt: skip
    document_id = w.record(posting, receipt, currency=sale.currency, total_minor=plan.total, points=plan.points,
                           sv_principal_minor=plan.sv_principal, sv_bonus_minor=plan.sv_bonus)  # fmt: skip
    _lines_write(document_id=document_id, checked=checked, plan=plan)
    if basket is not None:
        coupons_redeem(combination, document_id=w.document_id, actor=w.request.actor, now=now, hold_key=hold_key)
    member_stats_sale(
        member_id=w.member.id, event_at=sale.event_at, value_minor=plan.total,
        items=sum(line.quantity for line in sale.lines), points=plan.points, categories=_categories(sale, plan),
    )  # fmt: skip
    # The month's gift ladder counts the points the sale earned (each step unlocks once a month).
    gift_ladder_record(member_id=w.member.id, program=w.program, points=plan.points, event_at=sale.event_at,
                       now=now, seen=month)  # fmt: skip
    w.audit("checkout.sale", total_minor=plan.total)
    return receipt


def _sale_coupons(
    w: Write, checked: CheckedSale, benefits: Benefits, seen: Sequence[Any], *, codes: list[str] | None, hold_key: str
) -> tuple[Combination, Basket | None]:
    """The coupons the till chose, checked against the basket under the lock (none chosen: no basket).

    ``seen`` holds the answers to ``coupon_reads``, in its order."""
    sale = checked.sale
    rows, budgets, first, zone = seen
    if rows is None:
        return Combination(), None
    amounts = [g - d for g, d in zip(checked.gross, member_discounts(checked, benefits), strict=True)]
    store_id = w.request.actor.store_id
    basket = sale_basket(sale, amounts, timezone=zone, store_id=store_id, tier_code=benefits.tier_code,
                         first_purchase=bool(first))  # fmt: skip
    held = held_coupons(rows, template_views(w.program), hold_key=hold_key, at=sale.event_at, budgets=budgets)
    return coupons_choose(held, basket, codes), basket


def _usable_lots(
    lots: list[OpenLot] | None, sale: SaleIn, *, program: Program, merchant_id: int
) -> list[OpenLot] | None:
    """The stored-value lots this sale may spend (None when it tenders none).

    In an alliance that does not share stored value, only the lots of the selling merchant's stores count; a sale
    that asks for more than those hold, while the card holds enough, is told why rather than "not enough".
    """
    if lots is None:
        return None
    usable = lots_usable(lots, merchant_id=merchant_id, shared=stored_value_shared(program.alliance_id))
    asked, here = tendered(sale.tenders, "stored_value"), sum(lot.remaining for lot in usable)
    if here < asked <= sum(lot.remaining for lot in lots):
        raise StoredValueNotShared(usable_text=amount_text(here, program.currency), usable_minor=here)
    return usable


def _stored_value_takes(lots: list[OpenLot], plan: SalePlan) -> list[Take]:
    """The lots the sale's stored value comes from, oldest first within principal and within bonus."""
    return [*lots_take(lots, kind=PRINCIPAL, amount=plan.sv_principal),
            *lots_take(lots, kind=BONUS, amount=plan.sv_bonus)]  # fmt: skip


def _sale_legs(w: Write, plan: SalePlan, *, takes: list[Take], burned: list[tuple[int | None, int]]) -> list[Leg]:
    """The sale's legs; stored value and points spent name the stores they came from (settlement)."""
    program, a, cur, here = w.program, w.accounts, w.program.currency, w.request.actor.store_id

    def store(kind: AccountKind, unit: str) -> int:
        return store_account_id(program_id=program.id, store_id=here, kind=kind, unit=unit)

    legs: list[Leg] = []
    for kind, member_account, out, amount in (
        (PRINCIPAL, a.sv_principal.id, AccountKind.STORE_SV_PRINCIPAL_OUT, plan.sv_principal),
        (BONUS, a.sv_bonus.id, AccountKind.STORE_SV_BONUS_OUT, plan.sv_bonus),
    ):
        if amount:
            spent = by_origin([t for t in takes if t.kind == kind])
            legs += [Leg(member_account, cur, -amount),
                     *legs_by_origin(store(out, cur), cur, spent, home_store_id=here)]  # fmt: skip
    if plan.burn:
        # Points used as payment are redeemed at the selling store, at the programme's point value.
        legs += [Leg(a.points.id, POINTS, -plan.burn.points),
                 *legs_by_origin(store(AccountKind.STORE_POINTS_REDEEMED, POINTS), POINTS, burned,
                                 home_store_id=here)]  # fmt: skip
    if plan.points:
        legs += [Leg(store(AccountKind.STORE_POINTS_ISSUED, POINTS), POINTS, -plan.points),
                 Leg(a.points_debt.id, POINTS, plan.debt_repaid),
                 Leg(a.points.id, POINTS, plan.points_credited)]  # fmt: skip
    return legs


def _lines_write(*, document_id: IdOf, checked: CheckedSale, plan: SalePlan) -> None:
    line_points = dict(plan.earning.line_points)
    rows = [
        (document_id, line.line_no, line.sku, line.name, line.brand, line.category, line.quantity,
         line.unit_price_minor, line.discount_minor, amount, discount, line_points.get(line.line_no, 0), None, off)
        for line, amount, discount, off in zip(checked.sale.lines, plan.amounts, plan.discounts,
                                                plan.coupon_discounts, strict=True)
    ]  # fmt: skip
    sql_insert(DocumentLine._meta.db_table, [*LINE_COLUMNS, "coupon_discount_minor"], rows)
    tenders = [(document_id, t.kind, t.amount_minor, t.reference) for t in checked.sale.tenders]
    sql_insert(Tender._meta.db_table, TENDER_COLUMNS, tenders)


def _categories(sale: SaleIn, plan: SalePlan) -> dict[str, CategoryMove]:
    moves: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line, amount in zip(sale.lines, plan.amounts, strict=True):
        moves[line.category][0] += line.quantity
        moves[line.category][1] += amount
    return {name: CategoryMove(quantity=q, value_minor=v) for name, (q, v) in moves.items()}

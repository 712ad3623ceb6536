"""Coupons at the till: choosing them for a basket, holding them for a checkout, redeeming and restoring them.

Checkout calls these inside its own transaction, after locking the member's accounts and then the coupon rows
(``coupons_lock_read``), so two tills redeeming one coupon at once serialise on its row and the second finds
it redeemed. Holds are a soft claim: a held coupon is open to the checkout that holds it, and to any
checkout once the hold has lapsed, without any job having to release it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tessera.coupons.codes import code_clean
from tessera.coupons.errors import CouponNotApplicable, CouponNotFound, CouponsNotCombinable, CouponUnavailable
from tessera.coupons.models import Coupon, CouponEvent, CouponTemplate, CouponTemplateUsage
from tessera.coupons.rules import Basket, Combination, Held, Reason, apply, best, chosen_check
from tessera.coupons.selectors import REASON_TEXT
from tessera.kit.actor import Actor
from tessera.kit.db import db_datetime, sql_insert, sql_rows, sql_run, use_case

_C, _E, _U = Coupon._meta.db_table, CouponEvent._meta.db_table, CouponTemplateUsage._meta.db_table
_T = CouponTemplate._meta.db_table
_EVENT_COLUMNS = ["coupon_id", "kind", "store_id", "terminal_id", "staff_id", "system", "document", "discount_minor",
                  "at"]  # fmt: skip


def hold_key_for(*, store_id: int, pos_number: str) -> str:
    """A checkout is named by its store and POS document number, so a quote's hold belongs to that sale."""
    return f"{store_id}:{pos_number}"


def codes_clean(raw: Sequence[str]) -> list[str]:
    """The codes as stored; a code that cannot exist (bad length or check symbol) is simply not found.

    :raises CouponNotFound: a code is malformed (the same answer as for a code that does not exist).
    """
    codes = []
    for text in raw:
        code = code_clean(text)
        if code is None:
            raise CouponNotFound()
        if code not in codes:
            codes.append(code)
    return codes


def coupons_choose(held: Sequence[Held], basket: Basket, codes: Sequence[str] | None) -> Combination:
    """The best combination (``codes`` None), or exactly the coupons asked for if they may be used together.

    :raises CouponNotFound: a code is not one of this member's coupons (a guess gets this same answer).
    :raises CouponUnavailable: a coupon asked for is redeemed, voided or held by another checkout.
    :raises CouponNotApplicable: a coupon asked for does not apply to this basket.
    :raises CouponsNotCombinable: the coupons asked for may not be used together.
    """
    if codes is None:
        return best(held, basket)
    by_code = {h.code: h for h in held}
    missing = [c for c in codes if c not in by_code]
    if missing:
        raise CouponNotFound()
    chosen = [by_code[c] for c in codes]
    problem = chosen_check(chosen, basket)
    if problem is not None:
        coupon, reason = problem
        text = str(REASON_TEXT[reason])
        if reason == Reason.NOT_OPEN:
            raise CouponUnavailable(coupon=coupon.code, state=text)
        if reason in (Reason.EXCLUSIVE, Reason.SAME_TEMPLATE):
            raise CouponsNotCombinable(reason=text)
        raise CouponNotApplicable(coupon=coupon.code, reason=text)
    others = {h.coupon_id: Reason.NOT_CHOSEN for h in held if h.code not in codes}
    return Combination(uses=apply(chosen, basket), refused=others)


def coupons_redeem(combination: Combination, *, document_id: str, actor: Actor, now: datetime, hold_key: str) -> None:
    """Mark the combination's coupons redeemed on ``document_id``, add their discount to the budgets, and free
    any other coupon this checkout held. Writes only, so it may run inside ``pipelined``."""
    at = db_datetime(now)
    events = []
    for use in combination.uses:
        sql_run(
            f"UPDATE {_C} SET state = 'redeemed', redeemed_document = %s, discount_minor = %s, hold_key = '',"  # noqa: S608
            " held_until = NULL, updated_at = %s WHERE id = %s",
            [document_id, use.discount_minor, at, use.held.coupon_id],
        )
        if use.held.terms.budget_left is not None and use.discount_minor:
            sql_run(f"UPDATE {_U} SET budget_used_minor = budget_used_minor + %s WHERE template_id = %s",  # noqa: S608
                    [use.discount_minor, use.held.terms.template_id])  # fmt: skip
        events.append(_event(use.held.coupon_id, CouponEvent.Kind.REDEEMED, actor, document_id, use.discount_minor, at))
    if events:
        sql_insert(_E, _EVENT_COLUMNS, events)
    used = [u.held.coupon_id for u in combination.uses]
    _release(hold_key, keep=used, at=at)


def _release(hold_key: str, *, keep: Sequence[int], at: object) -> int:
    marks = "".join(f" AND id <> {int(i)}" for i in keep)
    return sql_run(
        f"UPDATE {_C} SET state = 'issued', hold_key = '', held_until = NULL, updated_at = %s"  # noqa: S608
        f" WHERE hold_key = %s AND state = 'held'{marks}",
        [at, hold_key],
    )


def _event(coupon_id: int, kind: str, actor: Actor, document: str, discount: int, at: object) -> tuple[object, ...]:
    return (coupon_id, kind, actor.store_id, actor.terminal_id, actor.staff_id, actor.system, document, discount, at)


def coupons_hold(combination: Combination, *, actor: Actor, hold_key: str, until: datetime, now: datetime) -> list[str]:
    """Hold the combination's coupons for this checkout until ``until``; returns the codes held.

    Its own transaction: a quote writes nothing else. A coupon another checkout took meanwhile is not held and
    not returned; the commit will then refuse it with ``coupon_unavailable``.
    """
    ids = [u.held.coupon_id for u in combination.uses]
    held: list[str] = []
    with use_case():
        at = db_datetime(now)
        _release(hold_key, keep=ids, at=at)
        for coupon_id in ids:
            changed = sql_rows(
                f"UPDATE {_C} SET state = 'held', hold_key = %s, held_until = %s, updated_at = %s"  # noqa: S608
                " WHERE id = %s AND (state = 'issued' OR (state = 'held' AND (hold_key = %s OR held_until <= %s)))"
                " RETURNING code",
                [hold_key, db_datetime(until), at, coupon_id, hold_key, at],
            )
            if changed:
                held.append(changed[0][0])
                sql_insert(_E, _EVENT_COLUMNS, [_event(coupon_id, CouponEvent.Kind.HELD, actor, "", 0, at)])
    return held


def coupons_release(*, actor: Actor, pos_number: str, now: datetime) -> int:
    """Free every coupon held for this checkout (the sale was cancelled at the till); returns how many."""
    key = hold_key_for(store_id=actor.store_id, pos_number=pos_number)
    with use_case():
        ids = [r[0] for r in sql_rows(f"SELECT id FROM {_C} WHERE hold_key = %s AND state = 'held'", [key])]  # noqa: S608
        at = db_datetime(now)
        _release(key, keep=(), at=at)
        if ids:
            sql_insert(_E, _EVENT_COLUMNS, [_event(i, CouponEvent.Kind.RELEASED, actor, "", 0, at) for i in ids])
    return len(ids)


def coupons_restore(*, sale_document_id: str, return_document_id: str, actor: Actor, now: datetime) -> list[str]:
    """Give back the coupons a sale used, once every item of it has been returned; returns their codes.

    A coupon still inside its validity is issued again; one past its end becomes expired. The discount it
    gave comes off its template's budget either way, since the sale it discounted no longer stands.
    """
    rows = sql_rows(
        f"SELECT c.id, c.code, c.template_id, c.discount_minor, t.budget_minor FROM {_C} c"  # noqa: S608
        f" JOIN {_T} t ON t.id = c.template_id WHERE c.redeemed_document = %s AND c.state = 'redeemed' ORDER BY c.id",
        [sale_document_id],
    )
    at = db_datetime(now)
    for coupon_id, _code, template_id, discount, budget in rows:
        sql_run(
            f"UPDATE {_C} SET state = CASE WHEN valid_until > %s THEN 'issued' ELSE 'expired' END,"  # noqa: S608
            " redeemed_document = '', discount_minor = 0, updated_at = %s WHERE id = %s",
            [at, at, coupon_id],
        )
        if discount and budget is not None:  # only budgeted templates count what they gave (coupons_redeem)
            sql_run(
                f"UPDATE {_U} SET budget_used_minor = budget_used_minor - %s WHERE template_id = %s",  # noqa: S608
                [discount, template_id],
            )
    if rows:
        sql_insert(_E, _EVENT_COLUMNS, [
            _event(r[0], CouponEvent.Kind.RESTORED, actor, return_document_id, r[3], at) for r in rows
        ])  # fmt: skip
    return [r[1] for r in rows]


def coupon_void(*, coupon_id: int, actor: Actor, now: datetime, document: str = "") -> bool:
    """Void an issued (or lapsed-hold) coupon inside the caller's transaction; False if it was not open.

    For writes that take back what granted a coupon: a top-up refund, a cancelled mall order.
    """
    at = db_datetime(now)
    changed = sql_rows(
        f"UPDATE {_C} SET state = 'voided', hold_key = '', held_until = NULL, updated_at = %s"  # noqa: S608
        " WHERE id = %s AND (state = 'issued' OR (state = 'held' AND held_until <= %s)) RETURNING id",
        [at, coupon_id, at],
    )
    if changed:
        sql_insert(_E, _EVENT_COLUMNS, [_event(coupon_id, CouponEvent.Kind.VOIDED, actor, document, 0, at)])
    return bool(changed)

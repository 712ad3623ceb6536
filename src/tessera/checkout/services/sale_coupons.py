"""Coupons in a sale: the basket the coupon rules see, the reads made under the lock, and the receipt's part.

The basket is priced after the tier discount: coupons come off what the member would pay with their tier
(docs/coupons.md). Weekday and hour conditions are judged in the time zone of the store making the sale, not
the programme's: a chain may span zones, and "weekdays 10:00-14:00" means the clock on the wall by the till.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import get_language

from tessera.checkout.commands import SaleIn
from tessera.coupons.rules import MULTIPLIER, Basket, Combination, CouponLine, Held
from tessera.coupons.selectors import (
    REASON_TEXT,
    TemplateView,
    budget_lock_read,
    coupons_lock_read,
    template_views,
)
from tessera.coupons.services import codes_clean
from tessera.earning.rules import Boost
from tessera.kit.db import Read
from tessera.members.models import Member, MemberStats
from tessera.programs.models import Program
from tessera.stores.selectors import store_timezone_read


def sale_codes(sale: SaleIn) -> list[str] | None:
    """The coupon codes the till chose, cleaned; None when it chose none (a commit then uses no coupon)."""
    return None if sale.coupons is None else codes_clean(sale.coupons)


def first_purchase_read(member_id: int) -> Read[bool]:
    """Whether the member has never bought before (no statistics row yet, or no purchase counted)."""
    return Read(
        f"SELECT purchase_count FROM {MemberStats._meta.db_table} WHERE member_id = %s",  # noqa: S608
        [member_id],
        lambda rows: not rows or rows[0][0] == 0,
    )


def coupon_reads(member: Member, codes: Sequence[str] | None, *, store_id: int) -> list[Read[Any] | None]:
    """What a sale with coupons reads under the member's lock: the coupons (locked), budgets (locked), whether
    this is the member's first purchase, and the store's time zone. Nothing when the sale uses no coupon."""
    if not codes:
        return [None, None, None, None]
    # Budgets and first purchases are read only where some template of the programme has one.
    views = template_views(member.program).values()
    budgets = any(v.budget_minor is not None for v in views)
    first = any(v.terms.first_purchase_only for v in views)
    return [coupons_lock_read(member_id=member.id, codes=codes),
            budget_lock_read(member_id=member.id, codes=codes) if budgets else None,
            first_purchase_read(member.id) if first else None, store_timezone_read(store_id=store_id)]  # fmt: skip


def sale_basket(
    sale: SaleIn, amounts: Sequence[int], *, timezone: str, store_id: int, tier_code: str, first_purchase: bool
) -> Basket:
    """The basket as the coupon rules see it; ``timezone`` is the selling store's (``store_timezone_read``)."""
    lines = tuple(
        CouponLine(line_no=ln.line_no, sku=ln.sku, brand=ln.brand, category=ln.category, quantity=ln.quantity,
                   amount_minor=amount)
        for ln, amount in zip(sale.lines, amounts, strict=True)
    )  # fmt: skip
    local = sale.event_at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    skew = timedelta(seconds=settings.TESSERA_EVENT_FUTURE_SKEW_SECONDS)
    return Basket(lines=lines, at=sale.event_at, local=local, store_id=store_id, tier_code=tier_code,
                  first_purchase=first_purchase, skew=skew)  # fmt: skip


def boost_of(combination: Combination, basket: Basket) -> Boost | None:
    use = combination.multiplier
    if use is None:
        return None
    terms = use.held.terms
    lines = frozenset(line.line_no for line in basket.lines if terms.scopes(line))
    return Boost(code=terms.code, factor_permille=terms.multiplier_permille, line_nos=lines)


def coupons_body(
    combination: Combination, basket: Basket, *, program: Program, held: Sequence[Held] | None = None
) -> dict[str, Any]:
    """The receipt's coupons: those used with their discount per line; in a quote, also why each other coupon
    the member holds was left out."""
    views = template_views(program)
    language = get_language() or "en"
    used = [
        {**_coupon(u.held, views, language), "discount_minor": u.discount_minor,
         "lines": [{"line_no": ln.line_no, "discount_minor": d}
                   for ln, d in zip(basket.lines, u.line_discounts, strict=True) if d]}
        for u in combination.uses
    ]  # fmt: skip
    body: dict[str, Any] = {"total_minor": combination.discount_minor, "used": used}
    if held is not None:
        by_id = {h.coupon_id: h for h in held}
        body["not_used"] = [
            {**_coupon(by_id[cid], views, language), "reason": reason.value, "reason_text": str(REASON_TEXT[reason])}
            for cid, reason in combination.refused.items() if cid in by_id
        ]  # fmt: skip
    return body


def _coupon(h: Held, views: dict[int, TemplateView], language: str) -> dict[str, Any]:
    view = views[h.terms.template_id]
    body: dict[str, Any] = {"code": h.code, "template": h.terms.code, "kind": h.terms.kind, "name": view.name(language),
            "valid_until": h.valid_until.isoformat()}  # fmt: skip
    if h.terms.kind == MULTIPLIER:
        body["multiplier_permille"] = h.terms.multiplier_permille
    return body

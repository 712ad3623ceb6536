"""Worked examples of coupon selection and stacking (pure rules, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tessera.coupons.rules import (
    Basket,
    CouponLine,
    Held,
    Reason,
    Terms,
    apply,
    best,
    chosen_check,
    refusal,
    spread,
)

AT = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # a Thursday, 14:00 in Shanghai
LOCAL = AT + timedelta(hours=8)
_ids = iter(range(1, 10_000))


def held(kind="cash", *, until_days=30, exclusive=False, template_id=None, **terms) -> Held:
    cid = next(_ids)
    t = Terms(template_id=template_id or cid, code=f"T{cid}", kind=kind, exclusive=exclusive, **terms)
    return Held(coupon_id=cid, code=f"C{cid}", terms=t, valid_from=AT - timedelta(days=1),
                valid_until=AT + timedelta(days=until_days))  # fmt: skip


def basket(*lines, tier="", first=False, store=1) -> Basket:
    return Basket(
        lines=tuple(CouponLine(i, sku, brand, cat, qty, amount) for i, (sku, brand, cat, qty, amount) in
                    enumerate(lines, 1)),
        at=AT, local=LOCAL.replace(tzinfo=None), store_id=store, tier_code=tier, first_purchase=first,
    )  # fmt: skip


SHIRT = ("SHIRT", "Acme", "tops", 1, 12_900)
SOCKS = ("SOCKS", "Acme", "socks", 2, 3_900)


def test_cash_coupon_spreads_over_scoped_lines():
    # ¥50 off a ¥168 basket: 12,900 : 3,900 -> 3,839.28 / 1,160.71; rounded down, the odd fen to the larger rest.
    (use,) = apply([held(amount_minor=5_000)], basket(SHIRT, SOCKS))
    assert use.discount_minor == 5_000
    assert use.line_discounts == (3_839, 1_161)


def test_percent_coupon_is_capped():
    (use,) = apply([held("percent", percent_bp=2_000, max_discount_minor=3_000)], basket(SHIRT, SOCKS))
    assert use.discount_minor == 3_000  # 20 % of 16,800 is 3,360, capped at 3,000


def test_min_spend_counts_scoped_lines_only():
    coupon = held(amount_minor=1_000, min_spend_minor=5_000, categories=frozenset({"socks"}))
    assert refusal(coupon, basket(SHIRT, SOCKS)) == Reason.MIN_SPEND
    assert refusal(coupon, basket(SHIRT, ("SOCKS", "Acme", "Socks ", 4, 7_800))) is None  # case and spaces


def test_conditions_each_refuse():
    b = basket(SHIRT)
    assert refusal(held(tiers=frozenset({"gold"})), b) == Reason.TIER
    assert refusal(held(store_ids=frozenset({2})), b) == Reason.STORE
    assert refusal(held(weekdays=frozenset({3})), b) == Reason.WEEKDAY  # Wednesdays only; it is Thursday
    assert refusal(held(hour_from=9, hour_to=12), b) == Reason.HOURS  # 14:00 local
    assert refusal(held(hour_from=14, hour_to=15), b) is None
    assert refusal(held(first_purchase_only=True), b) == Reason.FIRST_PURCHASE
    assert refusal(held(first_purchase_only=True), basket(SHIRT, first=True)) is None
    assert refusal(held(skus=frozenset({"HAT"})), b) == Reason.NO_ITEMS
    assert refusal(held("gift", gift_sku="HAT"), b) == Reason.GIFT_NOT_IN_BASKET
    assert refusal(held(until_days=0), b) == Reason.EXPIRED
    assert refusal(held(budget_left=0), b) == Reason.BUDGET


def test_budget_left_caps_the_discount():
    (use,) = apply([held(amount_minor=5_000, budget_left=1_200)], basket(SHIRT))
    assert use.discount_minor == 1_200


def test_documented_order_gift_then_percent_then_cash():
    # Gift: one pair of socks (3,900 / 2 = 1,950). Percent 10 % of what is left (16,800 - 1,950 = 14,850) = 1,485.
    # Cash 1,000. Total 4,435, whatever order the coupons were listed in.
    coupons = [held(amount_minor=1_000), held("percent", percent_bp=1_000), held("gift", gift_sku="SOCKS")]
    uses = apply(coupons, basket(SHIRT, SOCKS))
    assert [u.held.terms.kind for u in uses] == ["gift", "percent", "cash"]
    assert [u.discount_minor for u in uses] == [1_950, 1_485, 1_000]


def test_best_prefers_larger_exclusive_over_smaller_combination():
    big = held(amount_minor=6_000, exclusive=True)
    small = [held(amount_minor=2_000), held("percent", percent_bp=1_000)]
    combo = best([*small, big], basket(SHIRT, SOCKS))
    assert [u.held for u in combo.uses] == [big]
    assert combo.refused == {small[0].coupon_id: Reason.NOT_CHOSEN, small[1].coupon_id: Reason.NOT_CHOSEN}


def test_best_combines_when_together_they_give_more():
    big = held(amount_minor=3_000, exclusive=True)
    pair = [held(amount_minor=2_000), held("percent", percent_bp=1_000)]
    combo = best([big, *pair], basket(SHIRT, SOCKS))
    assert combo.discount_minor == 1_680 + 2_000  # percent first: 10 % of 16,800, then 2,000
    assert combo.refused == {big.coupon_id: Reason.NOT_CHOSEN}


def test_one_per_template_keeps_the_soonest_to_expire():
    late = held(amount_minor=1_000, template_id=77, until_days=60)
    soon = held(amount_minor=1_000, template_id=77, until_days=5)
    combo = best([late, soon], basket(SHIRT))
    assert [u.held for u in combo.uses] == [soon]
    assert combo.refused == {late.coupon_id: Reason.SAME_TEMPLATE}


def test_multipliers_never_compound_and_break_ties():
    x2, x3 = held("points_multiplier", multiplier_permille=2_000), held("points_multiplier", multiplier_permille=3_000)
    combo = best([x2, x3], basket(SHIRT))
    assert combo.multiplier is not None
    assert combo.multiplier.held is x3
    assert combo.discount_minor == 0
    assert combo.refused[x2.coupon_id] == Reason.NOT_CHOSEN  # a higher multiplier was chosen


def test_coupon_that_adds_nothing_is_not_used():
    # The gift takes the whole of the cash coupon's only scoped line, so the cash coupon would give nothing.
    gift = held("gift", gift_sku="HAT")
    cash = held(amount_minor=500, skus=frozenset({"HAT"}))
    combo = best([gift, cash], basket(("HAT", "", "hats", 1, 2_000)))
    assert [u.held for u in combo.uses] == [gift]
    assert combo.refused == {cash.coupon_id: Reason.ADDS_NOTHING}


def test_unusable_coupons_explain_themselves():
    expired, gold = held(until_days=0), held(tiers=frozenset({"gold"}))
    combo = best([expired, gold], basket(SHIRT))
    assert combo.uses == ()
    assert combo.refused == {expired.coupon_id: Reason.EXPIRED, gold.coupon_id: Reason.TIER}


def test_chosen_check_refuses_exclusive_with_others_and_same_template():
    a, b = held(amount_minor=100, exclusive=True), held(amount_minor=100)
    assert chosen_check([a, b], basket(SHIRT)) == (a, Reason.EXCLUSIVE)
    c, d = held(amount_minor=100, template_id=5), held(amount_minor=100, template_id=5)
    assert chosen_check([c, d], basket(SHIRT)) == (d, Reason.SAME_TEMPLATE)
    assert chosen_check([b], basket(SHIRT)) is None


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [(10, [1, 1, 1], [4, 3, 3]), (0, [5, 5], [0, 0]), (7, [0, 10], [0, 7]), (100, [100], [100])],
)
def test_spread(amount, weights, expected):
    assert spread(amount, weights) == expected
    assert sum(spread(amount, weights)) == amount


def test_a_till_clock_a_little_behind_still_sees_a_new_coupon():
    from dataclasses import replace

    fresh = replace(held(), valid_from=AT + timedelta(seconds=20))
    assert refusal(fresh, basket(SHIRT)) == Reason.NOT_YET_VALID
    assert refusal(fresh, replace(basket(SHIRT), skew=timedelta(seconds=30))) is None

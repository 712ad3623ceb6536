"""Pure coupon maths: which coupons apply to a basket, what each takes off, and the best combination.

**When a coupon applies.** Its validity window contains the till time; the store is in its scope (no stores
listed: every store); the member's tier is listed (none listed: every tier); the store-local weekday and hour
are allowed; a first-purchase coupon needs a member with no purchase yet; and its *scoped lines* (lines whose
SKU, brand or category the template lists; nothing listed: every line) reach the minimum spend, measured
after the tier discount and before any coupon. A gift coupon also needs its SKU in the basket.

**What it takes off, in this fixed order** (each step on what the steps before left):

1. gift coupons: one unit of the gift SKU, at its price after the tier discount (the line's amount divided by
   its quantity, rounded down);
2. percentage coupons: the percentage of what is left of the scoped lines, rounded down, up to the coupon's
   largest discount;
3. cash coupons: the amount, or what is left of the scoped lines if that is less;
4. points multiplier coupons take nothing off; the earning engine multiplies the points of the scoped lines.

Every discount is also capped by what is left of the template's budget. A coupon's discount is spread over
its scoped lines in proportion to what is left of them (largest remainders get the odd minor units), so each
line knows its coupon discount for returns.

**Combining.** An exclusive coupon is used alone. Combinable coupons may be used together, one per template;
points multipliers never compound (the highest applies, as with earning rules). The best combination is the
one with the largest discount; then the highest points multiplier; then the fewest coupons; then the coupons
that expire soonest, so the member keeps the longer-lived ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

GIFT, PERCENT, CASH, MULTIPLIER = "gift", "percent", "cash", "points_multiplier"
EXCLUSIVE = "exclusive"
_ORDER = {GIFT: 0, PERCENT: 1, CASH: 2, MULTIPLIER: 3}


class Reason(StrEnum):
    """Why a coupon does not apply; the selectors turn these into translated text."""

    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    NOT_OPEN = "not_open"  # redeemed, voided, or held by another checkout
    STORE = "store"
    TIER = "tier"
    WEEKDAY = "weekday"
    HOURS = "hours"
    FIRST_PURCHASE = "first_purchase"
    NO_ITEMS = "no_items"
    MIN_SPEND = "min_spend"
    GIFT_NOT_IN_BASKET = "gift_not_in_basket"
    BUDGET = "budget"
    SAME_TEMPLATE = "same_template"
    EXCLUSIVE = "exclusive"
    NOT_CHOSEN = "not_chosen"
    ADDS_NOTHING = "adds_nothing"


@dataclass(frozen=True, slots=True)
class Terms:
    """A template's terms as plain values. ``categories`` and ``brands`` hold ``norm``-ed names: they compare
    without case or surrounding spaces."""

    template_id: int
    code: str
    kind: str
    amount_minor: int = 0
    percent_bp: int = 0
    max_discount_minor: int | None = None
    gift_sku: str = ""
    multiplier_permille: int = 1000
    min_spend_minor: int = 0
    categories: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    store_ids: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()
    hour_from: int | None = None
    hour_to: int | None = None
    first_purchase_only: bool = False
    exclusive: bool = True
    budget_left: int | None = None  # None: no budget

    def scopes(self, line: CouponLine) -> bool:
        if not (self.categories or self.brands or self.skus):
            return True
        return line.sku in self.skus or norm(line.brand) in self.brands or norm(line.category) in self.categories


@dataclass(frozen=True, slots=True)
class Held:
    """A coupon the member holds: ``open`` when it may be used by this checkout (issued, or held by it, or held
    by a checkout whose hold has lapsed)."""

    coupon_id: int
    code: str
    terms: Terms
    valid_from: datetime
    valid_until: datetime
    open: bool = True


@dataclass(frozen=True, slots=True)
class CouponLine:
    line_no: int
    sku: str
    brand: str
    category: str
    quantity: int
    amount_minor: int  # after the tier discount, before coupons


@dataclass(frozen=True, slots=True)
class Basket:
    lines: tuple[CouponLine, ...]
    at: datetime  # till time, aware
    local: datetime  # the same moment in the store's time zone
    store_id: int
    tier_code: str
    first_purchase: bool  # the member has never bought before
    # A till's clock may run behind the server's: a coupon issued a moment ago (a welcome coupon, a gift just
    # claimed) must not look "not valid yet" to a sale the till stamped a few seconds earlier.
    skew: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class Use:
    """One coupon in a combination: its discount, spread over the basket's lines (index-aligned)."""

    held: Held
    discount_minor: int
    line_discounts: tuple[int, ...]

    @property
    def multiplier(self) -> int:
        return self.held.terms.multiplier_permille if self.held.terms.kind == MULTIPLIER else 1000


@dataclass(frozen=True, slots=True)
class Combination:
    uses: tuple[Use, ...] = ()
    refused: dict[int, Reason] = field(default_factory=dict)  # coupon id -> why it is not used

    @property
    def discount_minor(self) -> int:
        return sum(u.discount_minor for u in self.uses)

    @property
    def line_discounts(self) -> list[int]:
        if not self.uses:
            return []
        return [sum(column) for column in zip(*(u.line_discounts for u in self.uses), strict=True)]

    @property
    def multiplier(self) -> Use | None:
        """The points multiplier coupon used, if any (at most one is)."""
        return next((u for u in self.uses if u.held.terms.kind == MULTIPLIER), None)


def norm(text: str) -> str:
    return text.strip().casefold()


def refusal(held: Held, basket: Basket) -> Reason | None:
    """Why ``held`` cannot be used for ``basket`` on its own, or None if it can."""
    t = held.terms
    checks = (
        (not held.open, Reason.NOT_OPEN),
        (basket.at + basket.skew < held.valid_from, Reason.NOT_YET_VALID),
        (basket.at >= held.valid_until, Reason.EXPIRED),
        (bool(t.store_ids) and basket.store_id not in t.store_ids, Reason.STORE),
        (bool(t.tiers) and basket.tier_code not in t.tiers, Reason.TIER),
        (bool(t.weekdays) and basket.local.isoweekday() not in t.weekdays, Reason.WEEKDAY),
        (t.hour_from is not None and not (t.hour_from <= basket.local.hour < (t.hour_to or 24)), Reason.HOURS),
        (t.first_purchase_only and not basket.first_purchase, Reason.FIRST_PURCHASE),
        (t.budget_left is not None and t.budget_left <= 0 and t.kind != MULTIPLIER, Reason.BUDGET),
    )
    failed = next((reason for bad, reason in checks if bad), None)
    if failed is not None:
        return failed
    scoped = [line for line in basket.lines if t.scopes(line)]
    if not scoped:
        return Reason.NO_ITEMS
    if sum(line.amount_minor for line in scoped) < t.min_spend_minor:
        return Reason.MIN_SPEND
    if t.kind == GIFT and not any(line.sku == t.gift_sku and line.amount_minor > 0 for line in basket.lines):
        return Reason.GIFT_NOT_IN_BASKET
    return None


def apply(chosen: Sequence[Held], basket: Basket) -> tuple[Use, ...]:
    """Apply ``chosen`` (each already checked with ``refusal``) in the documented order."""
    left = [line.amount_minor for line in basket.lines]
    uses = []
    for held in sorted(chosen, key=lambda h: (_ORDER[h.terms.kind], h.valid_until, h.coupon_id)):
        use = _use(held, basket, left)
        left = [a - d for a, d in zip(left, use.line_discounts, strict=True)]
        uses.append(use)
    return tuple(uses)


def _use(held: Held, basket: Basket, left: list[int]) -> Use:
    t = held.terms
    zero = tuple(0 for _ in left)
    if t.kind == MULTIPLIER:
        return Use(held, 0, zero)
    if t.kind == GIFT:
        index = next(i for i, line in enumerate(basket.lines) if line.sku == t.gift_sku and line.amount_minor > 0)
        line = basket.lines[index]
        amount = min(line.amount_minor // line.quantity, left[index])
        amount = _budget_cap(t, amount)
        return Use(held, amount, tuple(amount if i == index else 0 for i in range(len(left))))
    weights = [a if t.scopes(line) else 0 for line, a in zip(basket.lines, left, strict=True)]
    base = sum(weights)
    if t.kind == PERCENT:
        amount = base * t.percent_bp // 10_000
        if t.max_discount_minor is not None:
            amount = min(amount, t.max_discount_minor)
    else:
        amount = min(t.amount_minor, base)
    amount = _budget_cap(t, amount)
    return Use(held, amount, tuple(spread(amount, weights)))


def _budget_cap(t: Terms, amount: int) -> int:
    return amount if t.budget_left is None else max(0, min(amount, t.budget_left))


def spread(amount: int, weights: Sequence[int]) -> list[int]:
    """``amount`` split in proportion to ``weights``, rounded down, the remainders to the largest fractions
    (ties: the earlier line). Never gives a line more than its weight when ``amount <= sum(weights)``."""
    total = sum(weights)
    if amount == 0 or total == 0:
        return [0] * len(weights)
    shares = [amount * w // total for w in weights]
    rest = amount - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in order[:rest]:
        shares[i] += 1
    return shares


def best(held: Sequence[Held], basket: Basket) -> Combination:
    """The best allowed combination of the member's coupons for ``basket``, and why each other one is left out."""
    refused: dict[int, Reason] = {}
    usable: list[Held] = []
    for h in held:
        reason = refusal(h, basket)
        if reason is None:
            usable.append(h)
        else:
            refused[h.coupon_id] = reason
    usable, duplicates = _one_per_template(usable)
    refused.update(dict.fromkeys(duplicates, Reason.SAME_TEMPLATE))
    options = [[h] for h in usable if h.terms.exclusive]
    combinable = _one_multiplier([h for h in usable if not h.terms.exclusive])
    if combinable:
        options.append(combinable)
    if not options:
        return Combination(refused=refused)
    winner = max((apply(option, basket) for option in options), key=_rank)
    winner = tuple(u for u in winner if u.discount_minor > 0 or u.multiplier > 1000)
    chosen = {u.held.coupon_id for u in winner}
    for h in usable:
        if h.coupon_id not in chosen:
            refused[h.coupon_id] = _left_out(h, winner, combinable)
    return Combination(uses=winner, refused=refused)


def _left_out(h: Held, winner: tuple[Use, ...], combinable: list[Held]) -> Reason:
    # A combinable coupon left out of a winning combinable set gave nothing on top; anything else lost to a
    # better choice that it cannot be combined with.
    won_combined = bool(winner) and not any(u.held.terms.exclusive for u in winner)
    return Reason.ADDS_NOTHING if h in combinable and won_combined else Reason.NOT_CHOSEN


def _rank(uses: tuple[Use, ...]) -> tuple[int, int, int, float]:
    multiplier = max((u.multiplier for u in uses), default=1000)
    soonest = -min((u.held.valid_until.timestamp() for u in uses), default=0.0)
    return (sum(u.discount_minor for u in uses), multiplier, -len(uses), soonest)


def _one_per_template(usable: list[Held]) -> tuple[list[Held], list[int]]:
    """One coupon per template, the one that expires first; the ids of the others."""
    kept: dict[int, Held] = {}
    for h in sorted(usable, key=lambda h: (h.valid_until, h.coupon_id)):
        kept.setdefault(h.terms.template_id, h)
    keep_ids = {h.coupon_id for h in kept.values()}
    return [h for h in usable if h.coupon_id in keep_ids], [h.coupon_id for h in usable if h.coupon_id not in keep_ids]


def _one_multiplier(combinable: list[Held]) -> list[Held]:
    multipliers = [h for h in combinable if h.terms.kind == MULTIPLIER]
    if len(multipliers) <= 1:
        return combinable
    top = max(multipliers, key=lambda h: (h.terms.multiplier_permille, -h.valid_until.timestamp()))
    return [h for h in combinable if h.terms.kind != MULTIPLIER or h is top]


def chosen_check(chosen: Sequence[Held], basket: Basket) -> tuple[Held, Reason] | None:
    """The first problem with a combination the till asked for, or None if it is allowed."""
    for h in chosen:
        reason = refusal(h, basket)
        if reason is not None:
            return h, reason
    templates = [h.terms.template_id for h in chosen]
    if len(set(templates)) != len(templates):
        return chosen[-1], Reason.SAME_TEMPLATE
    if len(chosen) > 1 and any(h.terms.exclusive for h in chosen):
        return next(h for h in chosen if h.terms.exclusive), Reason.EXCLUSIVE
    if sum(h.terms.kind == MULTIPLIER for h in chosen) > 1:
        return chosen[-1], Reason.EXCLUSIVE
    return None

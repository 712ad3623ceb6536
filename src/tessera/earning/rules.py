"""Pure earning and points-payment maths: plain values in, plain values out, no database.

How a sale earns points, in this order (every step exact integer arithmetic, no floats):

1. **Base.** Each line earns ``eligible_minor x rate.points / rate.per_minor``, kept as an exact fraction.
2. **Exclusions.** A line matched by any active exclusion earns nothing, whatever multiplier also matches it.
3. **Product multiplier.** Per line only the most specific matching multiplier applies, never stacked: SKU over
   brand over category; among equally specific ones the highest factor, then the lowest code.
4. **Day multiplier.** Weekday, member-day and birthday rules matching the local date do not compound: the
   highest factor applies to the whole sale (ties: birthday, then member day, then weekday, then lowest code).
5. **Tier multiplier** (from the member's tier) multiplies the result, then a **points multiplier coupon**
   (at most one per sale) multiplies the lines it covers.
6. **Rounding down, once,** on the sale's exact total.
7. **Per-sale cap**, then the **per-day cap** (less what the member already earned that local day, never below
   zero). Where several caps of a kind are active, the lowest applies.

Every multiplier multiplies (factor / 1000; a x2 SKU on a x2 Wednesday for a x1.5 tier earns x6); no rule adds a
fixed number of points (fixed bonuses are campaigns, not earning rules). Caps only take away.

**Breakdown.** ``Earning.parts`` lists the base, then one part per rule that changed the exact figure, in the
order above (within a step: most specific first, then highest factor, then code). A part's ``points`` are what
the running total, rounded down, gained or lost at that step. The parts therefore add up to the total exactly:
the rounding down of step 6 is spread over them, and ``exact_points`` keeps the unrounded figure.

**Birthdays and local days** (which birthday periods a date falls in, the programme's calendar) are in
``earning/rules_calendar.py``; its names are importable from here too.

**Paying with points** is in ``earning/burn.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

# Re-exported: callers have always found the calendar half of the rules here.
from tessera.earning.rules_calendar import BirthdayScope as BirthdayScope
from tessera.earning.rules_calendar import birthday_on as birthday_on
from tessera.earning.rules_calendar import birthday_scopes as birthday_scopes
from tessera.earning.rules_calendar import local_date as local_date
from tessera.earning.rules_calendar import local_day_bounds as local_day_bounds
from tessera.programs.rules import EarnRate

PER_MILLE = 1000
# Line values are kept multiplied by 1000^4: the product, day, tier and coupon multipliers each divide by 1000
# once, exactly, so the running figure stays an integer numerator over ``per_minor x 1000^4``.
_SCALE = PER_MILLE**4


class RuleKind(StrEnum):
    WEEKDAY = "weekday"
    MEMBER_DAY = "member_day"
    BIRTHDAY = "birthday"
    PRODUCT_MULTIPLIER = "product_multiplier"
    PRODUCT_EXCLUSION = "product_exclusion"
    SALE_CAP = "sale_cap"
    DAY_CAP = "day_cap"


class MatchOn(StrEnum):
    SKU = "sku"
    BRAND = "brand"
    CATEGORY = "category"


BASE = "base"  # the kind and code of the base-rate part
TIER = "tier"  # the kind of the tier part (its code is the tier's code)
COUPON = "coupon"  # the kind of a points multiplier coupon's part (its code is the template's code)
_SPECIFICITY = {MatchOn.SKU: 0, MatchOn.BRAND: 1, MatchOn.CATEGORY: 2}
_DAY_PRIORITY = {RuleKind.BIRTHDAY: 0, RuleKind.MEMBER_DAY: 1, RuleKind.WEEKDAY: 2}


@dataclass(frozen=True, slots=True)
class BasketLine:
    """One sale line. ``eligible_minor`` is the part of ``amount_minor`` that earns (after non-earning tenders)."""

    line_no: int
    sku: str
    brand: str
    category: str
    amount_minor: int
    eligible_minor: int


@dataclass(frozen=True, slots=True)
class Rule:
    """One configured earning rule; only the fields of its ``kind`` are set. ``weekday`` is ISO: 1 = Monday."""

    code: str
    kind: RuleKind
    factor_permille: int | None = None
    weekday: int | None = None
    day_of_month: int | None = None
    birthday_scope: BirthdayScope | None = None
    match_on: MatchOn | None = None
    match_value: str = ""
    cap_points: int | None = None
    active_from: date | None = None
    active_to: date | None = None  # exclusive

    def is_active_on(self, day: date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day < self.active_to
        )

    def matches(self, line: BasketLine) -> bool:
        """SKUs match exactly; brands and categories ignore case and surrounding spaces. Empty never matches."""
        if self.match_on == MatchOn.SKU:
            return bool(line.sku) and line.sku == self.match_value
        value = line.brand if self.match_on == MatchOn.BRAND else line.category
        return bool(value.strip()) and value.strip().casefold() == self.match_value.strip().casefold()

    @property
    def factor(self) -> int:
        assert self.factor_permille is not None, f"{self.kind} rule {self.code} has no factor"
        return self.factor_permille


@dataclass(frozen=True, slots=True)
class Boost:
    """A points multiplier coupon used on the sale: its template code, factor and the lines it covers."""

    code: str
    factor_permille: int
    line_nos: frozenset[int]


@dataclass(frozen=True, slots=True)
class MemberContext:
    """The member as earning sees them at the sale: local date, birthday, tier multiplier (None: no tier)."""

    local_date: date
    birthday: date | None = None
    tier_factor_permille: int | None = None
    tier_code: str = ""
    coupon: Boost | None = None

    @property
    def weekday(self) -> int:
        return self.local_date.isoweekday()

    @property
    def birthday_scopes(self) -> frozenset[BirthdayScope]:
        return birthday_scopes(self.birthday, self.local_date) if self.birthday else frozenset()


@dataclass(frozen=True, slots=True)
class Part:
    """What one rule did to a sale's points; negative for exclusions, multipliers below 1000 and caps."""

    code: str
    kind: str
    points: int
    factor_permille: int | None = None
    cap_points: int | None = None
    line_nos: tuple[int, ...] = ()  # empty: the whole sale

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "kind": self.kind, "points": self.points}
        if self.factor_permille is not None:
            body["factor_permille"] = self.factor_permille
        if self.cap_points is not None:
            body["cap_points"] = self.cap_points
        if self.line_nos:
            body["line_nos"] = list(self.line_nos)
        return body


@dataclass(frozen=True, slots=True)
class Earning:
    """A sale's points, the parts that add up to them, and each line's share (for returns and receipts)."""

    points: int
    parts: tuple[Part, ...]
    line_points: tuple[tuple[int, int], ...]  # (line_no, points), summing to ``points``
    eligible_minor: int
    rate: EarnRate
    exact_points: Fraction  # before rounding and caps

    def as_dict(self) -> dict[str, Any]:
        """The explanation recorded on the earning posting and shown to the member."""
        return {
            "points": self.points,
            "eligible_minor": self.eligible_minor,
            "rate": {"points": self.rate.points, "per_minor": self.rate.per_minor},
            "exact_points": fraction_text(self.exact_points),
            "rounding": "down",
            "parts": [part.as_dict() for part in self.parts],
            "lines": [{"line_no": no, "points": points} for no, points in self.line_points],
        }


def earn(
    *,
    lines: Sequence[BasketLine],
    rate: EarnRate,
    member: MemberContext,
    rules: Iterable[Rule],
    earned_today: int = 0,
) -> Earning:
    """The points a sale earns under ``rules`` (those not active on the member's local date are ignored).

    ``earned_today``: points the member already earned from sales on the same local day (for the day cap).
    """
    _inputs_check(lines, member, earned_today)
    active = [rule for rule in rules if rule.is_active_on(member.local_date)]
    values = [line.eligible_minor * rate.points * _SCALE for line in lines]
    trail = _Trail(denominator=rate.per_minor * _SCALE)
    trail.record(values, BASE, BASE)
    excluded: set[int] = set()
    for rule, hit in _exclusions(lines, active):
        excluded.update(hit)
        kept = [0 if i in hit else v for i, v in enumerate(trail.values)]
        trail.record(kept, rule.code, rule.kind, line_nos=_line_nos(lines, hit))
    for rule, hit in _product_multipliers(lines, active, skip=excluded):
        changed = [_times(v, rule.factor) if i in hit else v for i, v in enumerate(trail.values)]
        trail.record(changed, rule.code, rule.kind, rule.factor, line_nos=_line_nos(lines, hit))
    if (day_rule := _day_rule(member, active)) is not None:
        trail.record([_times(v, day_rule.factor) for v in trail.values], day_rule.code, day_rule.kind, day_rule.factor)
    if (tier := member.tier_factor_permille) is not None:
        trail.record([_times(v, tier) for v in trail.values], member.tier_code or TIER, TIER, tier)
    if (boost := member.coupon) is not None:
        hit = {i for i, line in enumerate(lines) if line.line_no in boost.line_nos}
        boosted = [_times(v, boost.factor_permille) if i in hit else v for i, v in enumerate(trail.values)]
        trail.record(boosted, boost.code, COUPON, boost.factor_permille, line_nos=_line_nos(lines, hit))
    points = _caps_apply(trail, active, earned_today)
    return Earning(
        points=points,
        parts=tuple(trail.parts),
        line_points=tuple(zip((line.line_no for line in lines), _allocate(points, trail.values), strict=True)),
        eligible_minor=sum(line.eligible_minor for line in lines),
        rate=rate,
        exact_points=Fraction(sum(trail.values), trail.denominator),
    )


class _Trail:
    """The running exact figure (numerators per line over one denominator) and the parts recorded so far."""

    def __init__(self, *, denominator: int) -> None:
        self.denominator = denominator
        self.values: list[int] = []
        self.parts: list[Part] = []
        self.points = 0  # the running total, rounded down

    def record(
        self, values: list[int], code: str, kind: str, factor: int | None = None, line_nos: tuple[int, ...] = ()
    ) -> None:
        before, self.values = self.values, values
        if sum(values) == sum(before):
            return  # the rule changed nothing (a x1 factor, or only zero lines), so it is not part of the story
        points = sum(values) // self.denominator
        self.parts.append(Part(code, str(kind), points - self.points, factor_permille=factor, line_nos=line_nos))
        self.points = points

    def cap(self, rule: Rule, limit: int) -> None:
        if self.points > limit:
            self.parts.append(Part(rule.code, str(rule.kind), limit - self.points, cap_points=rule.cap_points))
            self.points = limit


def _line_nos(lines: Sequence[BasketLine], hit: set[int]) -> tuple[int, ...]:
    return tuple(lines[i].line_no for i in sorted(hit))


def _inputs_check(lines: Sequence[BasketLine], member: MemberContext, earned_today: int) -> None:
    # Programming errors, not member-facing refusals: the caller builds these values from validated data.
    if any(not 0 <= line.eligible_minor <= line.amount_minor for line in lines):
        raise ValueError("every line needs 0 <= eligible_minor <= amount_minor")
    if len({line.line_no for line in lines}) != len(lines):
        raise ValueError("line numbers must be unique")
    if earned_today < 0 or (member.tier_factor_permille is not None and member.tier_factor_permille <= 0):
        raise ValueError("earned_today must not be negative and a tier factor must be positive")


def _times(value: int, factor_permille: int) -> int:
    if factor_permille <= 0:
        raise ValueError("multipliers must be positive")
    product, remainder = divmod(value * factor_permille, PER_MILLE)
    assert remainder == 0, "more than four multipliers on one line would lose exactness"
    return product


def _specific_first(rule: Rule) -> tuple[int, int, str]:
    factor = rule.factor_permille or 0
    return _SPECIFICITY[rule.match_on] if rule.match_on else len(_SPECIFICITY), -factor, rule.code


def _exclusions(lines: Sequence[BasketLine], rules: list[Rule]) -> list[tuple[Rule, set[int]]]:
    """Each exclusion with the lines it zeroes; a line excluded twice is credited to the most specific rule."""
    taken: set[int] = set()
    found = []
    for rule in sorted((r for r in rules if r.kind == RuleKind.PRODUCT_EXCLUSION), key=_specific_first):
        hit = {i for i, line in enumerate(lines) if i not in taken and rule.matches(line)}
        if hit:
            taken |= hit
            found.append((rule, hit))
    return found


def _product_multipliers(
    lines: Sequence[BasketLine], rules: list[Rule], *, skip: set[int]
) -> list[tuple[Rule, set[int]]]:
    """Each product multiplier with the lines where it is the most specific match (SKU > brand > category)."""
    candidates = sorted((r for r in rules if r.kind == RuleKind.PRODUCT_MULTIPLIER), key=_specific_first)
    won: dict[int, set[int]] = {}
    for i, line in enumerate(lines):
        if i in skip:
            continue
        best = next((n for n, rule in enumerate(candidates) if rule.matches(line)), None)
        if best is not None:
            won.setdefault(best, set()).add(i)
    return [(candidates[n], won[n]) for n in sorted(won)]


def _day_rule(member: MemberContext, rules: list[Rule]) -> Rule | None:
    """The one day multiplier that applies: the highest among those matching the local date."""
    scopes = member.birthday_scopes
    matching = [
        rule
        for rule in rules
        if (rule.kind == RuleKind.WEEKDAY and rule.weekday == member.weekday)
        or (rule.kind == RuleKind.MEMBER_DAY and rule.day_of_month == member.local_date.day)
        or (rule.kind == RuleKind.BIRTHDAY and rule.birthday_scope in scopes)
    ]
    return min(matching, key=lambda r: (-r.factor, _DAY_PRIORITY[RuleKind(r.kind)], r.code), default=None)


def _caps_apply(trail: _Trail, rules: list[Rule], earned_today: int) -> int:
    if (sale_cap := _lowest_cap(rules, RuleKind.SALE_CAP)) is not None:
        trail.cap(sale_cap, sale_cap.cap_points or 0)
    if (day_cap := _lowest_cap(rules, RuleKind.DAY_CAP)) is not None:
        trail.cap(day_cap, max((day_cap.cap_points or 0) - earned_today, 0))
    return trail.points


def _lowest_cap(rules: list[Rule], kind: RuleKind) -> Rule | None:
    return min((r for r in rules if r.kind == kind), key=lambda r: (r.cap_points or 0, r.code), default=None)


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` over ``weights`` proportionally, largest remainder first, so the shares sum exactly."""
    weight_sum = sum(weights)
    if total == 0 or weight_sum <= 0:
        return [0] * len(weights)
    shares = [total * w // weight_sum for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def fraction_text(value: Fraction) -> str:
    """``236.74`` where the fraction ends in decimals, else ``710/3``: exact either way."""
    rest, twos, fives = value.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    whole, decimals = divmod(abs(value.numerator) * 10**digits // value.denominator, 10**digits)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{decimals:0{digits}d}" if digits else f"{sign}{whole}"

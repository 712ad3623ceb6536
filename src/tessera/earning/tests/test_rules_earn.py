"""The earning engine, without a database: worked examples with their figures, then properties for any input.

Unless a test says otherwise the rate is seed 002's 1 yuan = 1 point (1 point per 100 fen), amounts are in fen,
and the sale is on Tuesday 2026-03-31, which is neither a Wednesday nor the 8th.
"""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tessera.earning.rules import (
    BasketLine,
    BirthdayScope,
    MatchOn,
    MemberContext,
    Part,
    Rule,
    RuleKind,
    earn,
    fraction_text,
)
from tessera.programs.rules import EarnRate

YUAN = EarnRate(points=1, per_minor=100)
TUESDAY = date(2026, 3, 31)
WEDNESDAY_8TH = date(2026, 4, 8)
WEDNESDAY = Rule("double-wednesday", RuleKind.WEEKDAY, factor_permille=2000, weekday=3)
MEMBER_DAY = Rule("member-day", RuleKind.MEMBER_DAY, factor_permille=3000, day_of_month=8)


def line(no: int, amount: int, *, sku: str = "", brand: str = "", category: str = "", eligible: int | None = None):
    sku = sku or f"SKU{no}"
    return BasketLine(no, sku, brand, category, amount, amount if eligible is None else eligible)


def multiplier(code: str, on: MatchOn, value: str, factor: int) -> Rule:
    return Rule(code, RuleKind.PRODUCT_MULTIPLIER, factor_permille=factor, match_on=on, match_value=value)


def exclusion(code: str, on: MatchOn, value: str) -> Rule:
    return Rule(code, RuleKind.PRODUCT_EXCLUSION, match_on=on, match_value=value)


def cap(code: str, kind: RuleKind, points: int) -> Rule:
    return Rule(code, kind, cap_points=points)


def run(lines, rules=(), *, on=TUESDAY, rate=YUAN, earned_today=0, **member):
    return earn(lines=lines, rate=rate, member=MemberContext(local_date=on, **member), rules=rules,
                earned_today=earned_today)  # fmt: skip


def parts(result):
    return [(p.code, p.points) for p in result.parts]


class TestBaseRate:
    def test_one_yuan_one_point_rounds_down(self):
        result = run([line(1, 19999)])  # 199.99 yuan
        assert result.points == 199
        assert result.exact_points == Fraction(19999, 100)
        assert parts(result) == [("base", 199)]

    def test_rounding_happens_once_on_the_sale_total_not_per_line(self):
        # Three lines of 0.50 yuan: 1.5 points exactly, 1 point. Rounding each line first would give 0.
        result = run([line(1, 50), line(2, 50), line(3, 50)])
        assert result.points == 1
        assert result.line_points == ((1, 1), (2, 0), (3, 0))

    def test_korean_rate_of_one_point_per_thousand_won(self):
        assert run([line(1, 12_345)], rate=EarnRate(points=1, per_minor=1000)).points == 12

    def test_only_the_eligible_share_earns(self):
        # 100 yuan line of which 40 yuan was paid from stored value that does not earn: 60 points.
        assert run([line(1, 10000, eligible=6000)]).points == 60

    def test_nothing_eligible_earns_nothing_and_explains_nothing(self):
        result = run([line(1, 10000, eligible=0)], [WEDNESDAY], on=WEDNESDAY_8TH)
        assert (result.points, result.parts) == (0, ())

    def test_refuses_an_eligible_share_above_the_line(self):
        with pytest.raises(ValueError, match="eligible"):
            run([line(1, 100, eligible=101)])


class TestProducts:
    def test_excluded_category_earns_nothing(self):
        # 300 yuan of clothes and a 50 yuan gift card; gift cards are excluded: 300 points.
        result = run([line(1, 30000, category="tops"), line(2, 5000, category="gift_card")],
                     [exclusion("no-gift-cards", MatchOn.CATEGORY, "Gift_Card ")])  # fmt: skip
        assert result.points == 300
        assert parts(result) == [("base", 350), ("no-gift-cards", -50)]
        assert result.parts[1].line_nos == (2,)
        assert result.line_points == ((1, 300), (2, 0))

    def test_exclusion_wins_over_any_multiplier(self):
        rules = [multiplier("sku-x3", MatchOn.SKU, "S1", 3000), exclusion("no-sale-items", MatchOn.CATEGORY, "sale")]
        assert run([line(1, 10000, sku="S1", category="sale")], rules).points == 0

    def test_most_specific_multiplier_applies_never_stacked(self):
        rules = [
            multiplier("shoes-x1.5", MatchOn.CATEGORY, "shoes", 1500),
            multiplier("nike-x2", MatchOn.BRAND, "Nike", 2000),
            multiplier("airmax-x3", MatchOn.SKU, "AM90", 3000),
        ]
        lines = [
            line(1, 10000, sku="AM90", brand="nike", category="shoes"),  # SKU: x3 -> 300
            line(2, 10000, sku="P1", brand="Nike", category="shoes"),  # brand: x2 -> 200
            line(3, 10000, sku="S2", brand="Other", category="shoes"),  # category: x1.5 -> 150
            line(4, 10000, sku="T1", brand="Other", category="tops"),  # none -> 100
        ]
        result = run(lines, rules)
        assert result.points == 750
        assert parts(result) == [("base", 400), ("airmax-x3", 200), ("nike-x2", 100), ("shoes-x1.5", 50)]
        assert result.line_points == ((1, 300), (2, 200), (3, 150), (4, 100))

    def test_equally_specific_multipliers_give_the_highest(self):
        rules = [
            multiplier("tops-x2", MatchOn.CATEGORY, "tops", 2000),
            multiplier("tops-x4", MatchOn.CATEGORY, "tops", 4000),
        ]
        assert parts(run([line(1, 10000, category="tops")], rules)) == [("base", 100), ("tops-x4", 300)]

    def test_multiplier_below_one_takes_points_away(self):
        result = run([line(1, 10000, category="clearance")], [multiplier("half", MatchOn.CATEGORY, "clearance", 500)])
        assert parts(result) == [("base", 100), ("half", -50)]

    def test_empty_brand_never_matches(self):
        assert run([line(1, 10000, brand="")], [multiplier("blank", MatchOn.BRAND, " ", 2000)]).points == 100


class TestDaysAndTier:
    def test_wednesday_doubles(self):
        result = run([line(1, 11837)], [WEDNESDAY], on=date(2026, 4, 1))  # 118.37 yuan on a Wednesday
        assert result.points == 236
        assert parts(result) == [("base", 118), ("double-wednesday", 118)]
        assert fraction_text(result.exact_points) == "236.74"

    def test_day_multipliers_do_not_compound_the_highest_applies(self):
        # Wednesday 8 April 2026 is both double-points Wednesday (x2) and member day (x3): x3, not x6.
        result = run([line(1, 10000)], [WEDNESDAY, MEMBER_DAY], on=WEDNESDAY_8TH)
        assert result.points == 300
        assert parts(result) == [("base", 100), ("member-day", 200)]

    def test_a_member_day_on_the_31st_skips_shorter_months(self):
        on_31st = Rule("month-end", RuleKind.MEMBER_DAY, factor_permille=2000, day_of_month=31)
        assert run([line(1, 10000)], [on_31st], on=date(2026, 4, 30)).points == 100  # April has no 31st
        assert run([line(1, 10000)], [on_31st], on=date(2026, 5, 31)).points == 200

    def test_equal_day_factors_credit_the_birthday(self):
        birthday = Rule("birthday-month", RuleKind.BIRTHDAY, factor_permille=2000, birthday_scope=BirthdayScope.MONTH)
        result = run([line(1, 10000)], [WEDNESDAY, birthday], on=date(2026, 4, 1), birthday=date(1990, 4, 20))
        assert parts(result) == [("base", 100), ("birthday-month", 100)]

    def test_tier_multiplies_the_result(self):
        # 100 yuan of Nike (x2) on a Wednesday (x2) for a x1.5 tier: 100 x 2 x 2 x 1.5 = 600.
        rules = [multiplier("nike-x2", MatchOn.BRAND, "Nike", 2000), WEDNESDAY]
        result = run([line(1, 10000, brand="Nike")], rules, on=date(2026, 4, 1), tier_factor_permille=1500,
                     tier_code="red-diamond")  # fmt: skip
        assert result.points == 600
        assert parts(result) == [("base", 100), ("nike-x2", 100), ("double-wednesday", 200), ("red-diamond", 200)]
        assert result.parts[-1] == Part("red-diamond", "tier", 200, factor_permille=1500)

    def test_parts_carry_the_rounding(self):
        # 0.75 yuan x2 x1.5 = 2.25 points: the running total goes 0, 1, 2, so the parts are 0, +1, +1.
        result = run([line(1, 75)], [WEDNESDAY], on=date(2026, 4, 1), tier_factor_permille=1500)
        assert result.points == 2
        assert parts(result) == [("base", 0), ("double-wednesday", 1), ("tier", 1)]
        assert fraction_text(result.exact_points) == "2.25"

    def test_a_times_one_rule_changes_nothing_and_is_not_listed(self):
        same = Rule("same", RuleKind.WEEKDAY, factor_permille=1000, weekday=2)
        assert parts(run([line(1, 10000)], [same], tier_factor_permille=1000)) == [("base", 100)]


class TestCaps:
    def test_sale_cap_applies_after_rounding_and_the_lowest_wins(self):
        rules = [cap("sale-500", RuleKind.SALE_CAP, 500), cap("sale-300", RuleKind.SALE_CAP, 300)]
        result = run([line(1, 45050)], rules)  # 450.50 yuan: 450 points, capped at 300
        assert result.points == 300
        assert parts(result) == [("base", 450), ("sale-300", -150)]
        assert result.parts[1].cap_points == 300

    def test_day_cap_counts_what_was_earned_earlier_that_day(self):
        result = run([line(1, 10000)], [cap("day-300", RuleKind.DAY_CAP, 300)], earned_today=250)
        assert result.points == 50
        assert parts(result) == [("base", 100), ("day-300", -50)]

    def test_day_cap_already_passed_gives_zero_never_negative(self):
        # The cap was lowered to 300 after the member had earned 400 today.
        result = run([line(1, 10000)], [cap("day-300", RuleKind.DAY_CAP, 300)], earned_today=400)
        assert result.points == 0
        assert parts(result) == [("base", 100), ("day-300", -100)]

    def test_sale_cap_then_day_cap(self):
        rules = [cap("day-1000", RuleKind.DAY_CAP, 1000), cap("sale-500", RuleKind.SALE_CAP, 500)]
        result = run([line(1, 100000)], rules, earned_today=700)
        assert parts(result) == [("base", 1000), ("sale-500", -500), ("day-1000", -200)]
        assert result.points == 300


class TestEffectiveDates:
    def test_start_is_inclusive_and_end_exclusive(self):
        march = Rule("march-x2", RuleKind.WEEKDAY, factor_permille=2000, weekday=2,
                     active_from=date(2026, 3, 1), active_to=date(2026, 3, 31))  # fmt: skip
        april = Rule("april-x3", RuleKind.WEEKDAY, factor_permille=3000, weekday=2, active_from=date(2026, 3, 31))
        assert parts(run([line(1, 10000)], [march, april])) == [("base", 100), ("april-x3", 200)]
        assert parts(run([line(1, 10000)], [march, april], on=date(2026, 3, 24))) == [("base", 100), ("march-x2", 100)]


class TestExplanation:
    def test_the_explanation_is_plain_json_and_adds_up(self):
        rules = [
            exclusion("no-gift-cards", MatchOn.CATEGORY, "gift_card"),
            WEDNESDAY,
            cap("sale-200", RuleKind.SALE_CAP, 200),
        ]
        result = run([line(1, 11837, category="tops"), line(2, 5000, category="gift_card")], rules, on=date(2026, 4, 1))
        body = json.loads(json.dumps(result.as_dict()))
        assert body["points"] == 200 == sum(part["points"] for part in body["parts"])
        assert [p["code"] for p in body["parts"]] == ["base", "no-gift-cards", "double-wednesday", "sale-200"]
        assert body["exact_points"] == "236.74"
        assert body["lines"] == [{"line_no": 1, "points": 200}, {"line_no": 2, "points": 0}]

    @pytest.mark.parametrize(
        ("value", "text"),
        [(Fraction(23674, 100), "236.74"), (Fraction(710, 3), "710/3"), (Fraction(5), "5"), (Fraction(1, 8), "0.125")],
    )
    def test_exact_figures_are_written_without_loss(self, value, text):
        assert fraction_text(value) == text


# ---------------------------------------------------------------- properties


def _line(no: int, amount: int, share_pct: int, category: str, brand: str) -> BasketLine:
    return BasketLine(no, f"S{no % 3}", brand, category, amount, amount * share_pct // 100)


_lines = st.lists(
    st.builds(
        _line, st.integers(1, 10**6), st.integers(0, 10**9), st.integers(0, 100),
        st.sampled_from(["tops", "shoes", "gift_card"]), st.sampled_from(["", "Nike", "Li-Ning"]),
    ),
    max_size=8, unique_by=lambda line: line.line_no,
)  # fmt: skip
_factor = st.integers(1, 10_000)
_rules = st.lists(
    st.one_of(
        st.builds(lambda f, d: Rule(f"wd{d}", RuleKind.WEEKDAY, factor_permille=f, weekday=d),
                  _factor, st.integers(1, 7)),
        st.builds(lambda f, d: Rule(f"md{d}", RuleKind.MEMBER_DAY, factor_permille=f, day_of_month=d),
                  _factor, st.integers(1, 31)),
        st.builds(lambda f, s: Rule(f"bd-{s}", RuleKind.BIRTHDAY, factor_permille=f, birthday_scope=s),
                  _factor, st.sampled_from(BirthdayScope)),
        st.builds(lambda f, on, v: multiplier(f"pm-{on}-{v}", on, v, f),
                  _factor, st.sampled_from(MatchOn), st.sampled_from(["S1", "Nike", "shoes"])),
        st.builds(lambda on, v: exclusion(f"ex-{on}-{v}", on, v),
                  st.sampled_from(MatchOn), st.sampled_from(["S2", "Li-Ning", "gift_card"])),
        st.builds(lambda c: cap(f"sc{c}", RuleKind.SALE_CAP, c), st.integers(1, 10**6)),
        st.builds(lambda c: cap(f"dc{c}", RuleKind.DAY_CAP, c), st.integers(1, 10**6)),
    ),
    max_size=10,
)  # fmt: skip


@given(
    lines=_lines,
    rules=_rules,
    on=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    birthday=st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2010, 12, 31))),
    tier=st.one_of(st.none(), _factor),
    rate=st.builds(EarnRate, st.integers(0, 100), st.integers(1, 10_000)),
    earned_today=st.integers(0, 10**6),
)
def test_totals_are_never_negative_never_above_the_caps_and_the_parts_add_up(
    lines, rules, on, birthday, tier, rate, earned_today
):
    result = run(
        lines, rules, on=on, rate=rate, earned_today=earned_today, birthday=birthday, tier_factor_permille=tier
    )
    assert result.points >= 0
    limits = [int(result.exact_points)]  # rounded down, once
    limits += [rule.cap_points for rule in rules if rule.kind == RuleKind.SALE_CAP]
    limits += [max(rule.cap_points - earned_today, 0) for rule in rules if rule.kind == RuleKind.DAY_CAP]
    assert result.points == min(limits)
    assert sum(part.points for part in result.parts) == result.points
    assert sum(points for _no, points in result.line_points) == result.points
    assert [no for no, _points in result.line_points] == [line.line_no for line in lines]
    assert len({(part.code, part.kind) for part in result.parts}) == len(result.parts)  # one part per rule

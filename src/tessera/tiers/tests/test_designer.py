"""The tier ladder designer's evaluation: small worked examples, the seed's beauty salon, and properties.

Seed 000, section 1: the salon's maximum spend is about 4,000 yuan; its six tiers 1,000 (5% off), 2,000 (10%),
4,000 (15%), 8,000 (20%), 10,000 (25%) and 12,000 (30%) grew slowly, and 2,000 (10%), 5,000 (20%), 8,000 (30%)
grew fast. ``designer_data`` describes the synthetic salon members these tests use.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tessera.tiers.designer import (
    InvalidLadder,
    InvalidSpend,
    Rung,
    ladder_evaluate,
    money_shown,
    percent_shown,
    reach_from_minor,
    round_half_away,
)
from tessera.tiers.designer_suggest import ladder_compare, ladder_suggest
from tessera.tiers.rules import Counters, Downgrade, LadderRule, Measure, Threshold, WindowKind
from tessera.tiers.tests.designer_data import YUAN, salon_spends

SIX_TIERS = [
    Rung("Card 1", 1_000 * YUAN, 500), Rung("Card 2", 2_000 * YUAN, 1_000), Rung("Card 3", 4_000 * YUAN, 1_500),
    Rung("Card 4", 8_000 * YUAN, 2_000), Rung("Card 5", 10_000 * YUAN, 2_500), Rung("Card 6", 12_000 * YUAN, 3_000),
]  # fmt: skip
REDESIGN = [Rung("Member", 0), Rung("Silver", 2_000 * YUAN, 1_000), Rung("Gold", 5_000 * YUAN, 2_000),
            Rung("Platinum", 8_000 * YUAN, 3_000)]  # fmt: skip


def ladder(*thresholds: int) -> list[Rung]:
    return [Rung(f"T{i}", t) for i, t in enumerate(thresholds, start=1)]


def counts(evaluation) -> list[int]:
    return [t.members for t in evaluation.tiers]


def by_code(evaluation, code: str) -> list[dict]:
    return [f.figures for f in evaluation.findings if f.code == code]


# ---------------------------------------------------------------- worked examples


def test_a_member_holds_the_highest_tier_whose_threshold_their_spend_meets():
    evaluation = ladder_evaluate(spends_minor=[0, 99, 100, 250, 299, 300, 5_000], ladder=ladder(100, 300))
    assert counts(evaluation) == [2, 3, 2]  # below 100; 100 to 299; 300 and more
    assert [t.share_bp for t in evaluation.tiers] == [2857, 4286, 2857]  # 2/7, 3/7, 2/7 of the members
    assert [t.spend_minor for t in evaluation.tiers] == [99, 649, 5_300]
    assert evaluation.max_spend_minor == 5_000


def test_a_rung_at_zero_names_the_base_tier_and_gives_its_discount():
    evaluation = ladder_evaluate(spends_minor=[50, 150], ladder=[Rung("Card", 0, 1_000), Rung("Red", 100, 2_000)])
    assert [(t.rank, t.name, t.members, t.discount_cost_minor) for t in evaluation.tiers] == [
        (0, "Card", 1, 5), (1, "Red", 1, 30),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("spend_minor", "discount_bp", "cost_minor"),
    [(5, 1_000, 1), (4, 1_000, 0), (15, 1_000, 2), (25, 1_000, 3), (24, 1_000, 2), (1, 5_000, 1), (3, 1_500, 0),
     (10_000, 1, 1), (4_999, 1, 0), (0, 3_000, 0)],
)  # fmt: skip
def test_the_discount_cost_rounds_half_away_from_zero(spend_minor, discount_bp, cost_minor):
    evaluation = ladder_evaluate(spends_minor=[spend_minor], ladder=[Rung("All", 0, discount_bp)])
    assert evaluation.tiers[0].discount_cost_minor == cost_minor


def test_the_discount_cost_is_rounded_once_per_tier_not_per_member():
    # Three members at 5 fen with 10% off: 1.5 fen in all, so 2; rounding each member's 0.5 first would give 3.
    evaluation = ladder_evaluate(spends_minor=[5, 5, 5], ladder=[Rung("All", 0, 1_000)])
    assert evaluation.discount_cost_minor == 2


@pytest.mark.parametrize(("numerator", "rounded"), [(25, 3), (24, 2), (-25, -3), (-24, -2), (0, 0), (15, 2)])
def test_halves_round_away_from_zero(numerator, rounded):
    assert round_half_away(numerator, 10) == rounded


def test_within_one_acceptable_step_means_spend_times_one_point_two_reaches_the_threshold():
    assert reach_from_minor(1_000, 2_000) == 834  # 833 * 1.2 = 999.6 falls short; 834 * 1.2 = 1,000.8
    evaluation = ladder_evaluate(spends_minor=[0, 833, 834, 999, 1_000, 1_199, 1_200], ladder=ladder(1_000, 1_200))
    assert [t.within_reach for t in evaluation.tiers] == [0, 2, 2]  # 834 and 999; then 1,000 and 1,199
    assert evaluation.tiers[2].step_bp == 2_000
    assert "step_beyond_band" not in evaluation.codes()  # 20% is within a band of 20%


def test_the_acceptance_band_is_a_parameter():
    spends = [0, 750, 900, 1_000, 1_250]
    assert by_code(ladder_evaluate(spends_minor=spends, ladder=ladder(1_000, 1_250)), "step_beyond_band") == [
        {"tier": "T2", "below": "T1", "step_bp": 2_500, "band_bp": 2_000, "within_reach": 0, "below_members": 1}
    ]
    wider = ladder_evaluate(spends_minor=spends, ladder=ladder(1_000, 1_250), band_bp=2_500)
    assert "step_beyond_band" not in wider.codes()
    assert [t.within_reach for t in wider.tiers] == [0, 1, 1]  # 900 reaches 1,000 and 1,000 reaches 1,250


def test_an_empty_tier_differs_from_an_unreachable_one():
    evaluation = ladder_evaluate(spends_minor=[0, 100, 500], ladder=ladder(100, 200, 400, 600))
    assert by_code(evaluation, "tier_empty") == [{"tier": "T2", "threshold_minor": 200, "next_tier": "T3"}]
    assert by_code(evaluation, "tier_unreachable") == [
        {"tier": "T4", "threshold_minor": 600, "max_spend_minor": 500, "above_max_bp": 2_000}
    ]
    assert all("%(" not in f.text() for f in evaluation.findings)
    assert by_code(evaluation, "tier_nobody_within_reach") == [  # T4 is out of reach, so it is not judged again
        {"tier": "T1", "threshold_minor": 100, "reach_from_minor": 84},
        {"tier": "T2", "threshold_minor": 200, "reach_from_minor": 167},
        {"tier": "T3", "threshold_minor": 400, "reach_from_minor": 334},
    ]


def test_when_nobody_spent_anything_every_tier_is_unreachable():
    evaluation = ladder_evaluate(spends_minor=[0, 0], ladder=ladder(100, 200, 300))
    assert evaluation.codes().count("tier_unreachable") == 3
    assert evaluation.findings[0].text() == "Nobody can reach T1: no member spent anything in the period."


@pytest.mark.parametrize(
    ("sizes", "codes"),
    [
        ([2, 3, 1], ["shape_diamond"]),
        ([1, 3, 3, 1], ["shape_diamond"]),  # a flat peak is still one peak
        ([2, 3, 3, 2], ["shape_diamond"]),  # the top may be as narrow as the entry tier
        ([3, 3, 1], ["shape_entry_largest"]),
        ([4, 3, 1], ["shape_entry_largest"]),
        ([1, 3, 2], ["shape_top_wider_than_entry"]),
        ([2, 1, 3, 1], ["shape_valley"]),
        ([2, 0, 3, 1], ["shape_empty_tiers", "shape_valley"]),
        ([2, 3, 0], ["shape_empty_tiers"]),
        ([5, 3], ["shape_too_few_tiers"]),
        ([], ["shape_too_few_tiers"]),
    ],
)
def test_the_diamond_rule(sizes, codes):
    thresholds = [100 * (i + 1) for i in range(len(sizes))]
    spends = [0] + [t for t, size in zip(thresholds, sizes, strict=True) for _ in range(size)]
    evaluation = ladder_evaluate(spends_minor=spends, ladder=ladder(*thresholds))
    assert [f.code for f in evaluation.findings if f.code.startswith("shape_")] == codes
    assert evaluation.is_diamond is (codes == ["shape_diamond"])
    assert all("%(" not in f.text() for f in evaluation.findings)


@pytest.mark.parametrize(
    ("spends", "rungs", "error"),
    [
        ([], ladder(100), InvalidSpend),
        ([100, -1], ladder(100), InvalidSpend),
        ([100], ladder(200, 200), InvalidLadder),
        ([100], ladder(300, 200), InvalidLadder),
        ([100], [Rung("Below", -1), Rung("T", 100)], InvalidLadder),
        ([100], [Rung("T", 100, 10_001)], InvalidLadder),
    ],
)
def test_refuses_what_cannot_be_evaluated(spends, rungs, error):
    with pytest.raises(error):
        ladder_evaluate(spends_minor=spends, ladder=rungs)


def test_figures_are_shown_in_major_units_and_percentages():
    assert [money_shown(400_000, 2), money_shown(63_540, 2), money_shown(12_000, 0), money_shown(-5, 2)] == [
        "4,000", "635.40", "12,000", "-0.05",
    ]  # fmt: skip
    assert [percent_shown(b) for b in (2_000, 1_250, 3_077, 1, 25_000)] == ["20%", "12.5%", "30.77%", "0.01%", "250%"]


# ---------------------------------------------------------------- the seed's beauty salon


def test_the_salon_members_keep_to_the_seeds_maximum_of_about_4000():
    spends = salon_spends()
    assert (len(spends), spends.count(0), max(spends), sorted(spends)[500], sum(spends)) == (
        1_000, 100, 4_000 * YUAN, 1_335 * YUAN, 1_448_957 * YUAN,
    )  # fmt: skip


def test_the_salons_six_tier_ladder_is_flagged_with_its_reasons():
    evaluation = ladder_evaluate(spends_minor=salon_spends(), ladder=SIX_TIERS)

    assert counts(evaluation) == [336, 412, 251, 1, 0, 0, 0]
    assert not evaluation.is_diamond
    # Half the ladder is out of reach: 8,000 is twice what the heaviest spender spends.
    assert by_code(evaluation, "tier_unreachable") == [
        {"tier": f"Card {n}", "threshold_minor": t * YUAN, "max_spend_minor": 400_000, "above_max_bp": above}
        for n, t, above in [(4, 8_000, 10_000), (5, 10_000, 15_000), (6, 12_000, 20_000)]
    ]
    # Every step up from a tier someone holds doubles the threshold: 100%, five times the 20% band.
    assert [(f["tier"], f["step_bp"], f["within_reach"], f["below_members"]) for f in by_code(evaluation,
            "step_beyond_band")] == [("Card 2", 10_000, 108, 412), ("Card 3", 10_000, 38, 251),
                                     ("Card 4", 10_000, 0, 1)]  # fmt: skip
    # Not a diamond: three tiers empty, and the entry tier is the largest.
    assert by_code(evaluation, "shape_empty_tiers") == [{"empty_tiers": 3, "paid_tiers": 6}]
    assert by_code(evaluation, "shape_entry_largest") == [{"tier": "Card 1", "members": 412, "share_bp": 4_120}]
    assert [t.discount_cost_minor for t in evaluation.paid] == [2_986_200, 6_759_590, 60_000, 0, 0, 0]
    assert evaluation.findings[0].text() == (
        "Nobody can reach Card 4: its threshold of 8,000 is 100% above the most any member spent (4,000)."
    )


def test_the_salons_redesign_is_better_than_its_six_tiers_on_exactly_these_criteria():
    six = ladder_evaluate(spends_minor=salon_spends(), ladder=SIX_TIERS)
    redesign = ladder_evaluate(spends_minor=salon_spends(), ladder=REDESIGN)

    assert counts(redesign) == [748, 252, 0, 0]
    assert {v.code: (v.first, v.second, v.better) for v in ladder_compare(six, redesign)} == {
        "diamond": (0, 0, "same"),  # neither is a diamond
        "tiers_unreachable": (3, 2, "second"),  # 8,000 / 10,000 / 12,000 against 5,000 / 8,000
        "tiers_empty": (0, 0, "same"),
        "steps_beyond_band": (3, 1, "second"),  # 100% three times against 150% once
        "top_spender_gap_bp": (10_000, 2_500, "second"),  # the next tier for the heaviest spenders: +100% or +25%
        "members_within_reach": (227, 108, "first"),  # a denser ladder puts more members near a next tier
        "discount_cost_minor": (9_805_790, 6_799_590, "second"),  # 98,057.90 against 67,995.90 yuan
    }
    # Still flagged: with nobody above 4,000 yuan, 5,000 and 8,000 are out of reach, 5,000 only just beyond the band.
    assert [(f["tier"], f["above_max_bp"]) for f in by_code(redesign, "tier_unreachable")] == [
        ("Gold", 2_500), ("Platinum", 10_000),
    ]  # fmt: skip
    assert reach_from_minor(500_000, 2_000) == 416_667 > redesign.max_spend_minor  # within the band from 4,166.67


def test_the_designer_suggests_a_diamond_for_the_salon_within_the_band_where_it_can():
    suggestion = ladder_suggest(spends_minor=salon_spends(), template=REDESIGN)
    evaluation = suggestion.evaluation

    assert [(r.name, r.threshold_minor, r.discount_bp) for r in suggestion.ladder] == [
        ("Member", 0, 0), ("Silver", 130_000, 1_000), ("Gold", 156_000, 2_000), ("Platinum", 280_000, 3_000),
    ]  # fmt: skip
    assert counts(evaluation) == [484, 114, 308, 94]
    assert evaluation.is_diamond
    assert [t.step_bp for t in evaluation.paid] == [None, 2_000, 7_949]
    assert [f.code for f in suggestion.findings] == [
        "suggested_shares", "suggested_tier", "suggested_tier", "suggested_tier", "suggested_step_within_band",
        "suggested_step_beyond_band",
    ]  # fmt: skip
    assert suggestion.findings[4].text() == (
        "The step from Silver to Gold is 20%, within the acceptance band of 20%: every member of Silver is within one "
        "acceptable step of Gold."
    )
    verdicts = ladder_compare(ladder_evaluate(spends_minor=salon_spends(), ladder=REDESIGN), evaluation)
    assert {v.code: v.better for v in verdicts} == {
        "diamond": "second", "tiers_unreachable": "second", "tiers_empty": "same", "steps_beyond_band": "same",
        "top_spender_gap_bp": "second", "members_within_reach": "second", "discount_cost_minor": "first",
    }  # fmt: skip
    assert evaluation.discount_cost_minor == 23_612_070  # discounts for half the members cost more


def test_every_salon_finding_reads_as_a_whole_sentence():
    suggestion = ladder_suggest(spends_minor=salon_spends(), template=REDESIGN)
    evaluations = [ladder_evaluate(spends_minor=salon_spends(), ladder=lad) for lad in (SIX_TIERS, REDESIGN)]
    findings = [f for e in [*evaluations, suggestion.evaluation] for f in e.findings] + list(suggestion.findings)
    assert len({f.code for f in findings}) == 9
    for finding in findings:
        text = finding.text(exponent=2)
        assert "%(" not in text
        assert text.endswith(".")


def test_compare_refuses_evaluations_of_different_members():
    with pytest.raises(ValueError, match="same members"):
        ladder_compare(ladder_evaluate(spends_minor=[1, 2], ladder=[]), ladder_evaluate(spends_minor=[1], ladder=[]))


# ---------------------------------------------------------------- properties

spends_lists = st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=120)
threshold_sets = st.lists(st.integers(min_value=1, max_value=10**7), max_size=7, unique=True).map(sorted)


@given(spends=spends_lists, thresholds=threshold_sets)
def test_the_tiers_counts_add_up_to_the_members(spends, thresholds):
    evaluation = ladder_evaluate(spends_minor=spends, ladder=ladder(*thresholds))
    assert sum(counts(evaluation)) == evaluation.member_count == len(spends)
    assert sum(t.spend_minor for t in evaluation.tiers) == sum(spends)
    assert abs(sum(t.share_bp for t in evaluation.tiers) - 10_000) <= len(evaluation.tiers)


@given(spends=spends_lists, thresholds=threshold_sets, shuffle=st.randoms(use_true_random=False))
def test_the_evaluation_does_not_depend_on_the_order_of_members(spends, thresholds, shuffle):
    shuffled = list(spends)
    shuffle.shuffle(shuffled)
    assert ladder_evaluate(spends_minor=shuffled, ladder=ladder(*thresholds)) == ladder_evaluate(
        spends_minor=spends, ladder=ladder(*thresholds)
    )


@given(spends=spends_lists, tier_count=st.integers(min_value=3, max_value=6),
       paid_share_bp=st.integers(min_value=1, max_value=10_000))  # fmt: skip
def test_a_suggestion_never_has_a_tier_nobody_can_reach(spends, tier_count, paid_share_bp):
    suggestion = ladder_suggest(spends_minor=spends, template=ladder(*range(1, tier_count + 1)),
                                paid_share_bp=paid_share_bp)  # fmt: skip
    thresholds = [r.threshold_minor for r in suggestion.ladder]
    assert all(0 < t <= max(spends) for t in thresholds)
    assert thresholds == sorted(set(thresholds))
    assert "tier_unreachable" not in suggestion.evaluation.codes()
    assert all(t.reachable for t in suggestion.evaluation.tiers)
    assert all("%(" not in f.text() for f in suggestion.findings)


@given(spends=spends_lists, shuffle=st.randoms(use_true_random=False))
def test_a_suggestion_does_not_depend_on_the_order_of_members(spends, shuffle):
    shuffled = list(spends)
    shuffle.shuffle(shuffled)
    template = ladder(1, 2, 3, 4)
    assert ladder_suggest(spends_minor=shuffled, template=template) == ladder_suggest(
        spends_minor=spends, template=template
    )


@given(spend=st.integers(min_value=0, max_value=10**7), thresholds=threshold_sets)
def test_members_hold_the_rank_the_tier_rules_give_them(spend, thresholds):
    """The designer's ladder is the tiers app's ladder: the same spend lands on the same rank."""
    rule = LadderRule(
        measure=Measure.SPEND_IN_WINDOW, second_measure=None, combine=None, window=WindowKind.CALENDAR_YEAR,
        window_months=None, downgrade=Downgrade.REEVALUATE, grace_days=0,
        thresholds=(Threshold(0), *(Threshold(t) for t in thresholds)),
    )  # fmt: skip
    evaluation = ladder_evaluate(spends_minor=[spend], ladder=ladder(*thresholds))
    held = [t.rank for t in evaluation.tiers if t.members == 1]
    assert held == [rule.qualifying_rank(Counters(spend_minor=spend))]

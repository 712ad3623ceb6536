"""The ladder designer on real members: a year of UCI Online Retail customers (see ``designer_data``).

The tier names and discounts are illustrative; the spend is the data's. The suggestion must be a diamond with
every tier reachable and held, and its steps must keep to the 20% acceptance band wherever these members' spend
allows it: for each step it leaves wider, no single threshold moved to any place that brings that step within
the band keeps a diamond without pushing another step beyond it (checked here member by member, not by the
designer's own moves).
"""

from __future__ import annotations

import itertools

import pytest

from tessera.tiers.designer import Rung, ladder_evaluate, ratio_bp, reach_from_minor
from tessera.tiers.designer_suggest import ladder_suggest
from tessera.tiers.tests.designer_data import online_retail_spends

BAND_BP = 2_000
TEMPLATE = [Rung("Bronze", 1, 250), Rung("Silver", 2, 500), Rung("Gold", 3, 750), Rung("Platinum", 4, 1_000)]


@pytest.fixture(scope="module")
def spends() -> list[int]:
    return list(online_retail_spends())


@pytest.fixture(scope="module")
def suggestion(spends):
    return ladder_suggest(spends_minor=spends, template=TEMPLATE)


def steps_beyond(thresholds: list[int]) -> int:
    return sum(1 for low, high in itertools.pairwise(thresholds) if ratio_bp(high - low, low) > BAND_BP)


def test_a_year_of_online_retail_customers(spends):
    ranked = sorted(spends)
    assert (len(spends), spends.count(0), ranked[len(ranked) // 2], max(spends), sum(spends)) == (
        4_331, 54, 63_495, 26_776_100, 797_078_562,
    )  # fmt: skip
    # In pence: a median of £634.95, a top customer at £267,761, £7,970,785.62 in all.


def test_the_suggested_ladder_is_a_diamond_of_reachable_tiers(suggestion):
    evaluation = suggestion.evaluation
    assert [(r.name, r.threshold_minor) for r in suggestion.ladder] == [
        ("Bronze", 63_000), ("Silver", 75_000), ("Gold", 190_000), ("Platinum", 540_000),
    ]  # fmt: skip
    assert [t.members for t in evaluation.tiers] == [2_157, 253, 1_048, 653, 220]
    assert [t.share_bp for t in evaluation.paid] == [584, 2_420, 1_508, 508]
    assert evaluation.is_diamond
    assert not {"tier_unreachable", "tier_empty", "tier_nobody_within_reach"} & set(evaluation.codes())
    assert all(t.within_reach > 0 for t in evaluation.paid)  # every threshold has members close enough to try
    assert evaluation.discount_cost_minor == 60_590_979


def test_the_suggestions_steps_keep_to_the_band_where_the_data_allow(spends, suggestion):
    thresholds = [r.threshold_minor for r in suggestion.ladder]
    assert [t.step_bp for t in suggestion.evaluation.paid] == [None, 1_905, 15_333, 18_421]
    assert [f.code for f in suggestion.findings if "step" in f.code] == [
        "suggested_step_within_band", "suggested_step_beyond_band", "suggested_step_beyond_band",
    ]  # fmt: skip
    for k in range(1, len(thresholds)):
        low, high = thresholds[k - 1], thresholds[k]
        if ratio_bp(high - low, low) > BAND_BP:
            assert _band_moves_that_keep_a_diamond(spends, thresholds, k) == []


def _band_moves_that_keep_a_diamond(spends: list[int], thresholds: list[int], k: int) -> list[list[int]]:
    # Tier counts change only where a threshold crosses a member's spend, so trying each member's spend (and the
    # band's edge) inside the allowed range tries every distinct ladder a single move can make.
    low, high = thresholds[k - 1], thresholds[k]
    highest, lowest = low * (10_000 + BAND_BP) // 10_000, reach_from_minor(high, BAND_BP)
    uppers = {s for s in spends if low < s <= highest} | {highest}
    lowers = {s for s in spends if lowest <= s < high} | {lowest}
    candidates = [[*thresholds[:k], v, *thresholds[k + 1 :]] for v in sorted(uppers) if v < high]
    candidates += [[*thresholds[: k - 1], v, *thresholds[k:]] for v in sorted(lowers) if v > low]
    return [
        c for c in candidates
        if steps_beyond(c) < steps_beyond(thresholds) and ladder_evaluate(
            spends_minor=spends, ladder=[Rung(r.name, t) for r, t in zip(TEMPLATE, c, strict=True)]
        ).is_diamond
    ]  # fmt: skip


def test_three_tiers_on_the_same_members_leave_every_step_wide(spends):
    suggestion = ladder_suggest(spends_minor=spends, template=TEMPLATE[:3])
    assert [r.threshold_minor for r in suggestion.ladder] == [63_000, 110_000, 370_000]
    assert suggestion.evaluation.is_diamond
    assert [t.step_bp for t in suggestion.evaluation.paid] == [None, 7_460, 23_636]
    assert suggestion.evaluation.codes().count("step_beyond_band") == 2


def test_the_owners_rules_judge_a_ladder_set_by_guesswork(spends):
    guess = [Rung("Bronze", 50_000), Rung("Silver", 100_000), Rung("Gold", 500_000), Rung("Platinum", 30_000_000)]
    evaluation = ladder_evaluate(spends_minor=spends, ladder=guess)
    assert [t.members for t in evaluation.paid] == [893, 1_345, 246, 0]
    assert [f.code for f in evaluation.findings] == [
        "tier_unreachable", "step_beyond_band", "step_beyond_band", "step_beyond_band", "shape_empty_tiers",
    ]  # fmt: skip
    assert evaluation.findings[0].text() == (
        "Nobody can reach Platinum: its threshold of 300,000 is 12.04% above the most any member spent (267,761)."
    )

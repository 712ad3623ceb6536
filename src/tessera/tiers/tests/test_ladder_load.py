"""Loading ladders from plain dicts (programme templates, the API): what is stored, and what is refused and why."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from tessera.blueprints.seeds import diamonds_ladder, salon_ladder
from tessera.testing import world_build
from tessera.tiers.errors import TierLadderActiveExists, TierLadderInvalid
from tessera.tiers.models import Tier, TierLadder, TierTranslation
from tessera.tiers.services import tier_ladder_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return world_build(stores=1).program


def refused(program, spec) -> str:
    with pytest.raises(TierLadderInvalid) as exc:
        tier_ladder_load(program=program, spec=spec)
    assert exc.value.code == "tier_ladder_invalid"
    return exc.value.text()


def with_tier(spec, rank, **changes):
    spec = copy.deepcopy(spec)
    spec["tiers"][rank].update(changes)
    return spec


class TestLoad:
    def test_stores_the_diamonds_with_ranks_thresholds_and_four_languages(self, program):
        ladder = tier_ladder_load(program=program, spec=diamonds_ladder())
        tiers = list(Tier.objects.filter(ladder=ladder).order_by("rank"))
        assert [(t.rank, t.code, t.threshold, t.discount_bp, t.multiplier_permille) for t in tiers] == [
            (0, "card", 0, 1000, 1000), (1, "red", 10_000, 1000, 1000), (2, "yellow", 20_000, 1500, 1000),
            (3, "blue", 30_000, 2000, 1000), (4, "purple", 50_000, 2000, 1000),
        ]  # fmt: skip
        assert (ladder.measure, ladder.window_kind, ladder.downgrade, ladder.is_active) == (
            "points_in_window", "anniversary_year", "reevaluate", True,
        )  # fmt: skip
        purple = TierTranslation.objects.get(tier=tiers[4], language_code="zh-hans")
        assert purple.name == "紫钻会员"
        assert purple.services.splitlines()[1] == "公司组织紫钻会员商务会议"
        assert TierTranslation.objects.filter(tier__ladder=ladder).count() == 20

    def test_a_second_active_ladder_is_refused_but_an_inactive_one_is_kept(self, program):
        tier_ladder_load(program=program, spec=salon_ladder())
        with pytest.raises(TierLadderActiveExists):
            tier_ladder_load(program=program, spec=diamonds_ladder())
        tier_ladder_load(program=program, spec={**diamonds_ladder(), "active": False})
        assert TierLadder.objects.filter(program=program).count() == 2
        assert TierLadder.objects.filter(program=program, is_active=True).count() == 1


class TestRefused:
    def test_overlapping_thresholds(self, program):
        reason = refused(program, with_tier(diamonds_ladder(), 2, threshold=10_000))
        assert "Tier yellow needs 10000, not more than red below it (10000)" in reason
        assert not TierLadder.objects.exists()

    def test_unsorted_thresholds(self, program):
        reason = refused(program, with_tier(diamonds_ladder(), 4, threshold=25_000))
        assert "Tier purple needs 25000, not more than blue below it (30000)" in reason

    def test_a_base_tier_that_needs_something_would_let_members_fall_below_it(self, program):
        reason = refused(program, with_tier(diamonds_ladder(), 0, threshold=500))
        assert "The base tier card must need nothing (threshold 0)" in reason

    @pytest.mark.parametrize("multiplier", [0, -1000])
    def test_a_multiplier_of_zero_or_below(self, program, multiplier):
        reason = refused(program, with_tier(diamonds_ladder(), 1, multiplier_permille=multiplier))
        assert "Tier red: the points multiplier must be more than zero" in reason

    @pytest.mark.parametrize("discount_bp", [-1, 10_001])
    def test_a_discount_outside_0_to_10000_basis_points(self, program, discount_bp):
        reason = refused(program, with_tier(diamonds_ladder(), 3, discount_bp=discount_bp))
        assert "Tier blue: the discount must be 0 to 10000 basis points (0 to 100 per cent)." in reason

    def test_a_rolling_window_without_its_length(self, program):
        reason = refused(program, {**diamonds_ladder(), "window": "rolling_months"})
        assert "A rolling window needs its length: a number of months, 1 or more." in reason

    def test_a_combination_without_its_operator_or_thresholds(self, program):
        reason = refused(program, {**diamonds_ladder(), "second_measure": "purchase_count"})
        assert "Say how the two measures combine" in reason
        reason = refused(program, {**diamonds_ladder(), "second_measure": "purchase_count", "combine": "and"})
        assert "Tier red: give a threshold for the second measure too." in reason

    def test_a_grace_period_as_long_as_a_window(self, program):
        reason = refused(program, {**diamonds_ladder(), "window": "calendar_month", "grace_days": 28})
        assert "The grace period must be shorter than the shortest window (28 days)." in reason

    def test_unknown_settings_languages_and_types_are_all_reported_at_once(self, program):
        spec = with_tier(diamonds_ladder(), 1, threshold="lots", colour="red")
        spec["tiers"][2]["translations"]["fr"] = {"name": "Diamant jaune"}
        reason = refused(program, {**spec, "measure": "visits"})
        assert "“visits” is not a qualifying measure." in reason
        assert "Tier red: “threshold” must be a whole number." in reason
        assert "Tier red: “colour” is not a setting." in reason
        assert "Tier yellow: “fr” is not one of en, zh-hans, zh-hant, ko." in reason

    def test_the_reason_is_in_the_callers_language(self, program):
        with translation.override("zh-hans"):
            reason = refused(program, with_tier(diamonds_ladder(), 1, multiplier_permille=0))
        assert "等级 red：积分倍率必须大于零（1000 千分比为 1 倍）。" in reason

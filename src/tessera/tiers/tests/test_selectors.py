"""What the till and the member see: benefits in one query, progress to the next tier and what a reset takes."""

from __future__ import annotations

from datetime import date

import pytest

from tessera.blueprints.seeds import diamonds_ladder, salon_ladder
from tessera.programs.models import Program
from tessera.tiers.models import Tier
from tessera.tiers.selectors import tier_benefits_get, tier_progress_get
from tessera.tiers.tests.factories import at, ladder_of, member_carded, record, world_in

pytestmark = pytest.mark.django_db
SH = "Asia/Shanghai"


@pytest.fixture
def world():
    return world_in(SH, spec=diamonds_ladder())


def benefits(member, language="en"):
    return tier_benefits_get(member_id=member.id, program=Program.objects.get(id=member.program_id), language=language)


def progress(member, today, language="en"):
    return tier_progress_get(member_id=member.id, program_id=member.program_id, language=language,
                             today=date.fromisoformat(today))  # fmt: skip


class TestBenefits:
    def test_is_one_query_at_the_till_once_the_ladder_is_cached(self, world, django_assert_num_queries):
        member = member_carded(world, at(SH, "2025-01-10"))
        record(member, at(SH, "2025-02-01"), points=21_000)
        program = Program.objects.get(id=member.program_id)
        with django_assert_num_queries(2):  # the ladder, tiers and names, once per configuration; the member's place
            tier_benefits_get(member_id=member.id, program=program, language="zh-hans")
        with django_assert_num_queries(1):
            got = tier_benefits_get(member_id=member.id, program=program, language="zh-hans")
        assert (got.tier_code, got.tier_name, got.rank, got.discount_bp, got.multiplier_permille) == (
            "yellow", "黄钻会员", 2, 1500, 1000,
        )  # fmt: skip

    def test_a_member_not_yet_on_the_ladder_holds_the_base_tier(self, world):
        member = member_carded(world, at(SH, "2025-01-10"))
        assert (benefits(member, "ko").tier_code, benefits(member, "ko").tier_name) == ("card", "카드 회원")

    def test_names_fall_back_to_english_then_to_the_code_and_exclusions_come_along(self, world):
        yellow = Tier.objects.get(ladder=ladder_of(world), code="yellow")
        yellow.translations.filter(language_code="ko").delete()
        yellow.excluded_categories = ["gift cards", "tobacco"]
        yellow.multiplier_permille = 1500
        yellow.save()
        member = member_carded(world, at(SH, "2025-01-10"))
        record(member, at(SH, "2025-02-01"), points=21_000)
        got = benefits(member, "ko")
        assert (got.tier_name, got.excluded_categories, got.multiplier_permille) == (
            "Yellow diamond", ("gift cards", "tobacco"), 1500,
        )  # fmt: skip
        yellow.translations.all().delete()
        assert benefits(member, "ko").tier_name == "yellow"

    def test_none_without_an_active_ladder(self):
        member = member_carded(world_in(SH), at(SH, "2025-01-10"))
        assert benefits(member) is None
        assert progress(member, "2025-02-01") is None


class TestProgress:
    def test_shows_the_next_tier_what_it_needs_by_when_and_what_the_anniversary_takes(self, world):
        member = member_carded(world, at(SH, "2025-03-15"))
        record(member, at(SH, "2025-08-01"), points=12_500)
        got = progress(member, "2025-08-01", "zh-hant")
        assert (got.current.code, got.current.name, got.next.code, got.next.name) == ("red", "紅鑽會員", "yellow",
                                                                                      "黃鑽會員")  # fmt: skip
        assert (got.measure, got.value, got.next.threshold, got.remaining) == ("points_in_window", 12_500, 20_000,
                                                                              7_500)  # fmt: skip
        assert (got.needed_by, got.resets_on, got.value_lost_at_reset) == (date(2026, 3, 14), date(2026, 3, 15),
                                                                            12_500)  # fmt: skip
        # 12,500 points keep red through the anniversary: the count is lost, the tier is not.
        assert (got.tier_after_reset.code, got.tier_after_reset_on) == ("red", date(2026, 3, 15))

    def test_warns_of_the_tier_a_reset_would_cost(self, world):
        member = member_carded(world, at(SH, "2025-03-15"))
        record(member, at(SH, "2025-08-01"), points=21_000)  # yellow for year 2
        record(member, at(SH, "2026-05-01"), points=12_000)  # year 2 so far
        got = progress(member, "2026-05-01")
        assert (got.current.code, got.value, got.remaining, got.remaining_to_keep, got.needed_by) == (
            "yellow", 12_000, 18_000, 8_000, date(2027, 3, 14),
        )  # fmt: skip
        assert (got.tier_after_reset.code, got.value_lost_at_reset) == ("red", 12_000)

    def test_shows_a_member_with_no_purchases_on_the_base_tier_in_their_card_year(self, world):
        member = member_carded(world, at(SH, "2025-03-15"))
        got = progress(member, "2025-12-31")
        assert (got.current.code, got.next.code, got.remaining, got.window_start, got.window_end) == (
            "card", "red", 10_000, date(2025, 3, 15), date(2026, 3, 15),
        )  # fmt: skip

    def test_a_window_past_its_end_is_shown_as_the_evaluation_will_leave_it(self, world):
        member = member_carded(world, at(SH, "2025-03-15"))
        record(member, at(SH, "2025-08-01"), points=12_500)
        got = progress(member, "2026-03-15")  # midnight has passed, the job has not run yet
        assert (got.current.code, got.value, got.window_start, got.remaining) == ("red", 0, date(2026, 3, 15), 20_000)

    def test_at_the_top_there_is_no_next_tier(self, world):
        member = member_carded(world, at(SH, "2025-03-15"))
        record(member, at(SH, "2025-08-01"), points=60_000)
        got = progress(member, "2025-08-01")
        assert (got.current.code, got.next, got.remaining) == ("purple", None, None)
        assert got.as_dict()["needed_by"] == "2026-03-14"

    def test_a_lifetime_ladder_has_no_deadline_and_loses_nothing(self):
        world = world_in(SH, spec=salon_ladder())
        member = member_carded(world, at(SH, "2025-01-08"))
        record(member, at(SH, "2025-01-08"), stored_value_minor=300_000)
        got = progress(member, "2025-06-01")
        assert (got.current.code, got.next.code, got.remaining) == ("silver", "gold", 200_000)
        assert (got.needed_by, got.resets_on, got.value_lost_at_reset, got.tier_after_reset.code) == (
            None, None, 0, "silver",
        )  # fmt: skip
        assert got.remaining_to_keep is None

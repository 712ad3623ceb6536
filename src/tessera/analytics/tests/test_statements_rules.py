"""The value statement's arithmetic, without a database: weeks averaged, pace, projection, thresholds, rounding."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from tessera.analytics.statements_rules import (
    Period,
    Target,
    averaging_period,
    baskets_per_week,
    days_through,
    gift_step_next,
    points_at_pace,
    points_worth_minor,
    target_choose,
    weekly_average_minor,
    weekly_spend_for_points,
    weekly_spend_for_spend,
    year_end,
)


def one_point_per_yuan(basket_minor: int) -> int:
    return basket_minor // 100


def capped_at_50(basket_minor: int) -> int:
    return min(basket_minor // 100, 50)


class TestWeeksAveraged:
    def test_eight_complete_weeks_before_this_week(self):
        # Friday 4 December 2026: this week began Monday 30 November.
        period = averaging_period(today=date(2026, 12, 4), enrolled_on=date(2025, 3, 1))
        assert period == Period(date(2026, 10, 5), date(2026, 11, 30), since_enrolment=False)
        assert period.days == 56
        assert period.last_day == date(2026, 11, 29)

    def test_a_member_enrolled_during_the_weeks_is_averaged_from_their_first_day(self):
        period = averaging_period(today=date(2026, 12, 4), enrolled_on=date(2026, 11, 12))
        assert period == Period(date(2026, 11, 12), date(2026, 11, 30), since_enrolment=True)
        assert period.days == 18

    def test_a_member_enrolled_last_week_counts_only_their_days_of_it(self):
        period = averaging_period(today=date(2026, 12, 4), enrolled_on=date(2026, 11, 26))  # last Thursday
        assert (period.start, period.days, period.since_enrolment) == (date(2026, 11, 26), 4, True)

    def test_a_member_enrolled_this_week_counts_their_days_so_far_today_included(self):
        period = averaging_period(today=date(2026, 12, 4), enrolled_on=date(2026, 12, 2))
        assert (period.start, period.end, period.days) == (date(2026, 12, 2), date(2026, 12, 5), 3)
        today_only = averaging_period(today=date(2026, 12, 4), enrolled_on=date(2026, 12, 4))
        assert today_only.days == 1

    def test_on_new_years_day_the_weeks_are_last_years(self):
        period = averaging_period(today=date(2027, 1, 1), enrolled_on=date(2020, 1, 1))
        assert (period.start, period.end) == (date(2026, 11, 2), date(2026, 12, 28))


class TestPace:
    def test_weekly_average_rounds_down_to_the_minor_unit(self):
        assert weekly_average_minor(net_minor=100_001, days=56) == 12_500  # 12,500.125 fen
        assert weekly_average_minor(net_minor=1_000, days=3) == 2_333  # 2,333.33 over a three-day member

    def test_no_purchases_or_more_returned_than_bought_average_zero(self):
        assert weekly_average_minor(net_minor=0, days=56) == 0
        assert weekly_average_minor(net_minor=-5_000, days=56) == 0

    def test_baskets_per_week_is_exact_and_one_for_a_member_who_never_bought(self):
        assert baskets_per_week(sales=12, days=56) == Fraction(3, 2)
        assert baskets_per_week(sales=0, days=56) == 1

    def test_krw_has_no_minor_unit_so_won_average_as_they_are(self):
        assert weekly_average_minor(net_minor=1_234_567, days=56) == 154_320  # 154,320.875 won


class TestProjection:
    def test_flat_rate_to_year_end(self):
        # 500 yuan a week in one basket, 28 days left: 4 weeks x 500 points.
        points = points_at_pace(
            weekly_minor=50_000, per_week=Fraction(1), days=28, points_for_basket=one_point_per_yuan
        )
        assert points == 2_000

    def test_rounding_down_once_on_the_exact_total(self):
        # 10 days at 100 yuan a week: 142.857... points, so 142; never 10 x 14.
        points = points_at_pace(
            weekly_minor=10_000, per_week=Fraction(1), days=10, points_for_basket=one_point_per_yuan
        )
        assert points == 142

    def test_a_sale_cap_applies_per_basket_so_more_trips_earn_more(self):
        once = points_at_pace(weekly_minor=20_000, per_week=Fraction(1), days=7, points_for_basket=capped_at_50)
        twice = points_at_pace(weekly_minor=20_000, per_week=Fraction(2), days=7, points_for_basket=capped_at_50)
        assert (once, twice) == (50, 100)

    def test_nothing_after_the_year_has_ended(self):
        assert (
            points_at_pace(weekly_minor=50_000, per_week=Fraction(1), days=0, points_for_basket=one_point_per_yuan) == 0
        )

    def test_year_end_and_days_left_cross_into_the_new_year_cleanly(self):
        assert year_end(date(2026, 12, 4)) == date(2026, 12, 31)
        assert days_through(date(2026, 12, 31), year_end(date(2026, 12, 31))) == 1
        assert days_through(date(2027, 1, 1), year_end(date(2027, 1, 1))) == 365
        assert days_through(date(2027, 1, 2), date(2026, 12, 31)) == 0

    def test_points_are_worth_what_they_pay_for_rounded_down(self):
        assert points_worth_minor(points=2_599, value_points=100, value_minor=100) == 2_599  # 25.99 yuan
        assert points_worth_minor(points=199, value_points=100, value_minor=50) == 99  # 99.5 fen -> 99
        assert points_worth_minor(points=1_999, value_points=10, value_minor=1) == 199  # KRW: 1 won per 10 points
        assert points_worth_minor(points=0, value_points=100, value_minor=100) == 0


class TestThresholds:
    def test_spend_needed_per_week_rounds_up(self):
        assert weekly_spend_for_spend(spend_needed_minor=100_000, days=30) == 23_334  # 23,333.33
        assert weekly_spend_for_spend(spend_needed_minor=100_000, days=0) is None

    def test_points_needed_finds_the_smallest_weekly_spend(self):
        weekly = weekly_spend_for_points(points_needed=2_000, days=28, per_week=Fraction(1),
                                         points_for_basket=one_point_per_yuan)  # fmt: skip
        assert weekly == 50_000
        below = points_at_pace(
            weekly_minor=weekly - 1, per_week=Fraction(1), days=28, points_for_basket=one_point_per_yuan
        )
        assert below < 2_000

    def test_a_cap_can_make_a_threshold_unreachable(self):
        assert weekly_spend_for_points(points_needed=1_000, days=28, per_week=Fraction(1),
                                       points_for_basket=capped_at_50) is None  # fmt: skip

    def test_the_nearest_target_above_the_pace_wins(self):
        tier = Target("tier", "Gold", 80_000, date(2026, 12, 31))
        gift = Target("gift", "100 yuan coupon", 60_000, date(2026, 12, 31))
        reached = Target("gift", "50 yuan coupon", 30_000, date(2026, 12, 31))
        assert target_choose([tier, gift, reached], weekly_now_minor=50_000) == gift
        assert target_choose([reached], weekly_now_minor=50_000) is None

    def test_on_a_tie_the_tier_wins(self):
        tier = Target("tier", "Gold", 60_000, date(2026, 12, 31))
        gift = Target("gift", "Coupon", 60_000, date(2026, 12, 31))
        assert target_choose([gift, tier], weekly_now_minor=0) == tier

    def test_the_gift_step_above_a_month_at_pace(self):
        assert gift_step_next([500, 1_000, 1_500], points_in_month_at_pace=1_000) == 1_500
        assert gift_step_next([500, 1_000], points_in_month_at_pace=0) == 500
        assert gift_step_next([500, 1_000], points_in_month_at_pace=2_000) is None


@pytest.mark.parametrize(("weekly", "points", "worth"), [(50_000, 26_071, 26_071), (80_000, 41_714, 41_714)])
def test_seed_000_a_year_at_500_and_then_800_yuan_a_week(weekly, points, worth):
    """Seed 000 section 4's statement: "you spend 500 yuan a week on average ... at 800 yuan a week you would
    have ... by year end". Its point figures are masked, so here at 1 point per yuan and 100 points = 1 yuan,
    from 1 January: 365 days are 52 1/7 weeks, 26,071.43 points at 500 a week, rounded down."""
    days = days_through(date(2026, 1, 1), year_end(date(2026, 1, 1)))
    earned = points_at_pace(weekly_minor=weekly, per_week=Fraction(1), days=days, points_for_basket=one_point_per_yuan)
    assert (days, earned) == (365, points)
    assert points_worth_minor(points=earned, value_points=100, value_minor=100) == worth

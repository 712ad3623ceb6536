"""Pure tier maths: windows on the local calendar, which tier counters reach, window ends and grace periods."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tessera.tiers.rules import Counters, LadderRule, Threshold, remaining
from tessera.tiers.rules.benefits import TierBenefits
from tessera.tiers.rules.state import TierState, state_add, state_catch_up
from tessera.tiers.rules.windows import local_date, local_midnight, month_shift, window_containing

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def rule(**changes) -> LadderRule:
    base = {
        "measure": "points_in_window", "second_measure": None, "combine": None, "window": "anniversary_year",
        "window_months": None, "downgrade": "reevaluate", "grace_days": 0,
        "thresholds": (Threshold(0), Threshold(10_000), Threshold(20_000), Threshold(30_000)),
    }  # fmt: skip
    return LadderRule(**{**base, **changes})


class TestWindows:
    @pytest.mark.parametrize(
        ("anchor", "months", "expected"),
        [
            (date(2025, 3, 15), 12, date(2026, 3, 15)),
            (date(2025, 1, 31), 1, date(2025, 3, 1)),  # no 31 February: the next day instead
            (date(2025, 1, 31), 2, date(2025, 3, 31)),
            (date(2024, 2, 29), 12, date(2025, 3, 1)),  # a leap-day card's anniversary in a common year
            (date(2024, 2, 29), 48, date(2028, 2, 29)),
            (date(2025, 12, 31), -1, date(2025, 12, 1)),  # no 31 November
        ],
    )
    def test_month_shift_moves_a_missing_day_to_the_next_month(self, anchor, months, expected):
        assert month_shift(anchor, months) == expected

    @pytest.mark.parametrize(
        ("kind", "months", "anchor", "day", "expected"),
        [
            ("anniversary_year", None, date(2025, 3, 15), date(2025, 3, 15), (date(2025, 3, 15), date(2026, 3, 15))),
            ("anniversary_year", None, date(2025, 3, 15), date(2026, 3, 14), (date(2025, 3, 15), date(2026, 3, 15))),
            ("anniversary_year", None, date(2025, 3, 15), date(2025, 3, 14), (date(2024, 3, 15), date(2025, 3, 15))),
            ("anniversary_year", None, date(2024, 2, 29), date(2025, 2, 28), (date(2024, 2, 29), date(2025, 3, 1))),
            ("calendar_month", None, None, date(2025, 2, 10), (date(2025, 2, 1), date(2025, 3, 1))),
            ("calendar_month", None, None, date(2024, 12, 31), (date(2024, 12, 1), date(2025, 1, 1))),
            ("calendar_year", None, None, date(2025, 12, 31), (date(2025, 1, 1), date(2026, 1, 1))),
            ("rolling_months", 6, date(2025, 8, 31), date(2026, 3, 1), (date(2026, 3, 1), date(2026, 8, 31))),
            ("rolling_months", 6, date(2025, 8, 31), date(2026, 2, 28), (date(2025, 8, 31), date(2026, 3, 1))),
            ("lifetime", None, date(2025, 8, 31), date(2030, 1, 1), (date(2025, 8, 31), None)),
        ],
    )  # fmt: skip
    def test_window_containing_a_day(self, kind, months, anchor, day, expected):
        assert window_containing(kind, months, anchor, day) == expected

    def test_local_dates_follow_the_programme_time_zone(self):
        instant = datetime(2025, 12, 31, 16, 0, 30, tzinfo=UTC)
        assert local_date(instant, "Asia/Shanghai") == date(2026, 1, 1)  # 00:00:30 local
        assert local_date(instant, "Asia/Seoul") == date(2026, 1, 1)  # 01:00:30 local
        assert local_date(datetime(2025, 12, 31, 15, 59, 59, tzinfo=UTC), "Asia/Shanghai") == date(2025, 12, 31)
        assert local_midnight(date(2026, 1, 1), "Asia/Seoul") == datetime(2025, 12, 31, 15, 0, tzinfo=UTC)


class TestQualifying:
    def test_the_highest_threshold_met_wins_and_the_base_tier_needs_nothing(self):
        r = rule()
        assert [r.qualifying_rank(Counters(points=p)) for p in (-5, 0, 9_999, 10_000, 29_999, 99_999)] == [
            0, 0, 0, 1, 2, 3,
        ]  # fmt: skip

    def test_one_down_drops_a_single_tier_however_little_was_counted(self):
        r = rule(downgrade="one_down")
        assert r.evaluated_rank(3, Counters(points=0)) == 2
        assert r.evaluated_rank(3, Counters(points=30_000)) == 3
        assert r.evaluated_rank(0, Counters(points=0)) == 0
        assert rule().evaluated_rank(3, Counters(points=12_000)) == 1  # reevaluate drops as far as needed

    @pytest.mark.parametrize(
        ("combine", "points", "purchases", "rank"),
        [("and", 10_000, 4, 0), ("and", 10_000, 5, 1), ("or", 0, 5, 1), ("or", 9_999, 4, 0)],
    )
    def test_two_measures_combine_with_and_or_or(self, combine, points, purchases, rank):
        r = rule(
            second_measure="purchase_count", combine=combine,
            thresholds=(Threshold(0, 0), Threshold(10_000, 5), Threshold(20_000, 10)),
        )  # fmt: skip
        assert r.qualifying_rank(Counters(points=points, purchase_count=purchases)) == rank

    def test_remaining_to_a_tier_never_goes_below_zero(self):
        assert remaining(rule(), 2, Counters(points=12_500)) == (7_500, None)
        assert remaining(rule(), 1, Counters(points=12_500)) == (0, None)


class TestState:
    def start(self, **changes) -> TierState:
        fields = {"rank": 2, "since": T0, "window_start": date(2025, 1, 1), "window_end": date(2026, 1, 1),
                  "counters": Counters(points=5_000, lifetime_spend_minor=700)}  # fmt: skip
        return TierState(**{**fields, **changes})

    def test_an_upgrade_happens_at_once_and_a_return_never_downgrades(self):
        state, change = state_add(rule(), self.start(rank=0, counters=Counters()), Counters(points=20_000), at=T0)
        assert (state.rank, change.reason, change.value) == (2, "upgrade", 20_000)
        state, change = state_add(rule(), state, Counters(points=-15_000), at=T0)
        assert (state.rank, state.counters.points, change) == (2, 5_000, None)

    def test_a_window_end_resets_the_counters_but_not_lifetime_spend(self):
        state, changes = state_catch_up(rule(window="calendar_year"), self.start(), anchor=None,
                                        through=date(2026, 1, 1), timezone="Asia/Shanghai")  # fmt: skip
        assert (state.rank, state.counters, state.window_start, state.window_end) == (
            0, Counters(lifetime_spend_minor=700), date(2026, 1, 1), date(2027, 1, 1),
        )  # fmt: skip
        assert [(c.from_rank, c.to_rank, c.reason, c.value) for c in changes] == [(2, 0, "reevaluated", 5_000)]
        assert changes[0].at == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)  # local midnight in Shanghai

    def test_a_grace_period_delays_the_drop_and_requalifying_cancels_it(self):
        r = rule(window="calendar_year", grace_days=30)
        state, changes = state_catch_up(r, self.start(), anchor=None, through=date(2026, 1, 1), timezone="UTC")
        assert (state.rank, state.pending_rank, state.pending_on, changes) == (2, 0, date(2026, 1, 31), [])
        kept, _change = state_add(r, state, Counters(points=20_000), at=T0)
        assert (kept.rank, kept.pending_rank, kept.pending_on) == (2, None, None)
        dropped, changes = state_catch_up(r, state, anchor=None, through=date(2026, 1, 31), timezone="UTC")
        assert (dropped.rank, dropped.pending_rank) == (0, None)
        assert [(c.from_rank, c.to_rank, c.reason) for c in changes] == [(2, 0, "grace_ended")]

    def test_catching_up_several_windows_applies_each_in_turn(self):
        r = rule(window="calendar_year", downgrade="one_down")
        state, changes = state_catch_up(r, self.start(rank=3), anchor=None, through=date(2028, 6, 1), timezone="UTC")
        assert [(c.from_rank, c.to_rank) for c in changes] == [(3, 2), (2, 1), (1, 0)]
        assert (state.rank, state.window_start) == (0, date(2028, 1, 1))


class TestBenefits:
    benefits = TierBenefits("yellow", "Yellow", 2, 1500, ("gift cards",), 1500)

    @pytest.mark.parametrize(
        ("amount", "category", "discount"),
        [
            (1295, "tops", 194),  # 15% of 12.95 is 1.9425: rounded down to 1.94
            (10_000, "tops", 1_500),
            (10_000, "gift cards", 0),  # an excluded category
            (0, "tops", 0),
            (6, "tops", 0),  # 0.9 fen rounds to nothing rather than giving a fen away
        ],
    )
    def test_discount_rounds_down_and_skips_excluded_categories(self, amount, category, discount):
        assert self.benefits.discount_minor(amount, category=category) == discount

    def test_the_multiplier_is_per_mille_and_rounds_down(self):
        assert self.benefits.points_multiplied(1_234) == 1_851
        assert self.benefits.points_multiplied(-10) == -10

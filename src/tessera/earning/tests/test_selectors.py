"""Reads on the sale path: the rules in force on a local date (one query) and the points earned that day."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from tessera.earning.rules import BasketLine, BirthdayScope, MatchOn, Rule, RuleKind, local_day_bounds
from tessera.earning.selectors import burn_policy, earning_for_sale, earning_rules_get, points_earned_on
from tessera.earning.tests.factories import birthday, capped, excluded, rule_add, weekday
from tessera.programs.rules import PointValue
from tessera.testing import give_back, member_new, sell, world_build

pytestmark = pytest.mark.django_db
SHANGHAI = "Asia/Shanghai"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def world():
    return world_build()


class TestEarningRulesGet:
    def test_loads_the_rules_in_force_on_the_date_in_one_query(self, world, django_assert_num_queries):
        march = rule_add(world, weekday("march", 3, 2000, active_from=date(2026, 3, 1), active_to=date(2026, 4, 1)))
        rule_add(world, weekday("april", 3, 3000, active_from=date(2026, 4, 1)))
        rule_add(world, birthday("birthday", BirthdayScope.MONTH, 1500))
        rule_add(world, excluded("no-gift-cards", MatchOn.CATEGORY, "gift_card"))
        rule_add(world, capped("day-cap", RuleKind.DAY_CAP, 500))
        other = world_build(name="Other")
        rule_add(other, weekday("other", 3, 5000))
        with django_assert_num_queries(1):
            on_march_31 = earning_rules_get(program_id=world.program.id, on_date=date(2026, 3, 31))
        assert [r.code for r in on_march_31] == ["march", "birthday", "no-gift-cards", "day-cap"]
        assert on_march_31[0] == march.as_rule()
        assert on_march_31[0].active_to == date(2026, 4, 1)
        on_april_1 = earning_rules_get(program_id=world.program.id, on_date=date(2026, 4, 1))  # end is exclusive
        assert [r.code for r in on_april_1] == ["april", "birthday", "no-gift-cards", "day-cap"]
        assert on_april_1[2] == Rule("no-gift-cards", RuleKind.PRODUCT_EXCLUSION, match_on=MatchOn.CATEGORY,
                                     match_value="gift_card")  # fmt: skip
        assert [r.code for r in earning_rules_get(program_id=world.program.id, on_date=date(2026, 2, 28))] == [
            "birthday", "no-gift-cards", "day-cap",
        ]  # fmt: skip

    def test_a_programme_without_rules_gets_an_empty_list(self, world):
        assert earning_rules_get(program_id=world.program.id, on_date=date(2026, 1, 1)) == []


class TestPointsEarnedOn:
    def test_counts_the_members_sales_of_the_local_day_only(self, world, django_assert_num_queries):
        member, other = member_new(world), member_new(world)
        with time_machine.travel(at("2026-04-09T12:00:00+08:00"), tick=False):
            sell(world.a, member, [(1, 10000)], at=at("2026-04-07T23:59:59+08:00"))  # the day before: 100
            sell(world.a, member, [(1, 12000)], at=at("2026-04-08T00:00:00+08:00"), pos_number="P-first")  # 120
            sell(world.b, member, [(1, 30050)], at=at("2026-04-08T23:59:59+08:00"))  # another store: 300
            sell(world.a, member, [(1, 50000)], at=at("2026-04-09T00:00:00+08:00"))  # next day: 500
            sell(world.a, other, [(1, 70000)], at=at("2026-04-08T12:00:00+08:00"))  # another member
            give_back(world.a, "P-first")  # a return does not give the day's allowance back
        start, end = local_day_bounds(date(2026, 4, 8), SHANGHAI)
        with django_assert_num_queries(1):
            assert points_earned_on(member_id=member.id, local_day_start=start, local_day_end=end) == 420

    def test_a_day_without_sales_is_zero(self, world):
        start, end = local_day_bounds(date(2026, 4, 8), "Asia/Seoul")
        assert points_earned_on(member_id=member_new(world).id, local_day_start=start, local_day_end=end) == 0


def test_the_rules_are_read_once_per_configuration_and_a_day_cap_reads_the_day(world, django_assert_num_queries):
    member, lines = member_new(world), [BasketLine(1, "S1", "", "tops", 10000, 10000)]
    rule_add(world, weekday("double-wednesday", 3, 2000))

    def earn_now():
        world.program.refresh_from_db()  # as a sale has it: the programme row read with the member
        return earning_for_sale(program=world.program, member_id=member.id, birthday=None, lines=lines,
                                event_at=at("2026-04-01T09:00:00+08:00")).points  # fmt: skip

    with django_assert_num_queries(2):  # the programme row; the rules, first time
        assert earn_now() == 200
    with django_assert_num_queries(1):  # the programme row only: the rules come from the cache
        assert earn_now() == 200
    rule_add(world, capped("day-cap", RuleKind.DAY_CAP, 150))  # the trigger moves the configuration version
    with django_assert_num_queries(3):  # the programme row; the rules again; the points earned that day
        assert earn_now() == 150
    with django_assert_num_queries(2):
        assert earn_now() == 150


def test_new_year_starts_at_midnight_in_seoul():
    # A KRW programme earning 1 point per 100 won, with triple points on the 1st of every month.
    world = world_build(country="KR", timezone="Asia/Seoul", currency="KRW", name="Han River")
    rule_add(world, Rule("first-of-month", RuleKind.MEMBER_DAY, factor_permille=3000, day_of_month=1))
    member, lines = member_new(world, phone="01012345678"), [BasketLine(1, "K1", "", "cafe", 12_345, 12_345)]

    def points(when: str) -> int:
        return earning_for_sale(program=world.program, member_id=member.id, birthday=None, lines=lines,
                                event_at=at(when)).points  # fmt: skip

    assert points("2026-12-31T14:59:59+00:00") == 123  # 23:59:59 on 31 December in Seoul
    assert points("2026-12-31T15:00:00+00:00") == 370  # 00:00 on 1 January in Seoul: 123.45 x 3 = 370.35


def test_burn_policy_reads_the_programmes_settings():
    world = world_build(burn_enabled=True, burn_min_points=100, burn_max_share_pct=50)
    policy = burn_policy(world.program)
    assert (policy.enabled, policy.min_points, policy.max_share_pct) == (True, 100, 50)
    assert policy.value == PointValue(points=100, minor=100)

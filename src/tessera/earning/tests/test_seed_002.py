"""Seed 002, the clothing chain, replayed in Asia/Shanghai with rules stored, loaded and applied as a sale would.

The chain's settings as the seed gives them: 1 yuan spent = 1 point; a weekly double-points day (Wednesday); a
monthly member day (the 8th) with double points. The seed names no birthday rule or cap, so these tests add
illustrative ones: x1.5 in the birthday month, gift cards excluded, at most 500 points a day.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from tessera.earning.rules import BasketLine, BirthdayScope, MatchOn, RuleKind
from tessera.earning.selectors import earning_for_sale
from tessera.earning.tests.factories import birthday, capped, excluded, member_born, member_day, rule_add, weekday
from tessera.testing import member_new, sell, world_build

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def chain():
    world = world_build(name="Zhouyi Apparel")  # Asia/Shanghai, CNY, 1 point per 100 fen
    rule_add(world, weekday("double-wednesday", 3, 2000))
    rule_add(world, member_day("member-day", 8, 2000))
    return world


def basket(*amounts: int, category: str = "tops") -> list[BasketLine]:
    return [BasketLine(no, f"SKU{no}", "Zhouyi", category, fen, fen) for no, fen in enumerate(amounts, 1)]


def earned(world, member, lines, when: str):
    result = earning_for_sale(program=world.program, member_id=member.id, birthday=member.birthday, lines=lines,
                              event_at=at(when))  # fmt: skip
    assert sum(part.points for part in result.parts) == result.points
    return result


def story(result) -> list[tuple[str, int]]:
    return [(part.code, part.points) for part in result.parts]


def test_one_yuan_is_one_point_rounded_down(chain):
    # Tuesday 31 March 2026: 199.99 yuan earns 199 points, nothing else applies.
    result = earned(chain, member_new(chain), basket(19999), "2026-03-31T15:00:00+08:00")
    assert (result.points, story(result)) == (199, [("base", 199)])


def test_wednesday_is_double_points(chain):
    # Wednesday 1 April 2026: 118.37 yuan is 118.37 points, doubled to 236.74, so 236: "why did I get 236 points".
    result = earned(chain, member_new(chain), basket(11837), "2026-04-01T11:00:00+08:00")
    assert (result.points, story(result)) == (236, [("base", 118), ("double-wednesday", 118)])


def test_wednesday_is_counted_in_shanghai_not_utc(chain):
    # 23:30 UTC on Tuesday 31 March is already 07:30 on Wednesday 1 April in Shanghai.
    assert earned(chain, member_new(chain), basket(10000), "2026-03-31T23:30:00+00:00").points == 200


def test_member_day_on_the_8th(chain):
    member = member_new(chain)
    # Friday 8 May 2026: member day doubles 88.00 yuan to 176 points.
    assert story(earned(chain, member, basket(8800), "2026-05-08T19:00:00+08:00")) == [("base", 88), ("member-day", 88)]
    # Wednesday 8 April 2026 is both double-points days: the multipliers do not compound, x2 not x4.
    result = earned(chain, member, basket(8800), "2026-04-08T19:00:00+08:00")
    assert (result.points, story(result)) == (176, [("base", 88), ("member-day", 88)])


def test_birthday_month_starts_and_ends_at_midnight_in_shanghai(chain):
    rule_add(chain, birthday("birthday-month", BirthdayScope.MONTH, 1500))
    member = member_born(chain, date(1992, 5, 20), phone="13900139000")
    with time_machine.travel(at("2026-06-02T12:00:00+08:00"), tick=False):
        # 23:59 on 30 April in Shanghai (15:59 UTC): April, no birthday bonus. 100.00 yuan earns 100.
        assert earned(chain, member, basket(10000), "2026-04-30T23:59:00+08:00").points == 100
        # 00:10 on 1 May in Shanghai is still 30 April in UTC: May, the birthday month. 100 x 1.5 = 150.
        result = earned(chain, member, basket(10000), "2026-04-30T16:10:00+00:00")
        assert (result.points, story(result)) == (150, [("base", 100), ("birthday-month", 50)])
        assert earned(chain, member, basket(10000), "2026-05-31T23:59:59+08:00").points == 150
        assert earned(chain, member, basket(10000), "2026-06-01T00:00:00+08:00").points == 100


def test_an_excluded_category_earns_nothing(chain):
    rule_add(chain, excluded("no-gift-cards", MatchOn.CATEGORY, "gift_card"))
    lines = [*basket(25800), BasketLine(2, "GC-200", "Zhouyi", "gift_card", 20000, 20000)]
    # Tuesday: 258 yuan of clothes earn 258 points; the 200 yuan gift card earns none.
    result = earned(chain, member_new(chain), lines, "2026-03-31T12:00:00+08:00")
    assert (result.points, story(result)) == (258, [("base", 458), ("no-gift-cards", -200)])
    assert result.line_points == ((1, 258), (2, 0))


def test_a_day_cap_is_reached_across_two_sales(chain):
    rule_add(chain, capped("day-500", RuleKind.DAY_CAP, 500))
    member = member_new(chain)
    with time_machine.travel(at("2026-04-01T12:00:00+08:00"), tick=False):
        # Tuesday 31 March, 10:00: 300 yuan earns 300 points (recorded by the till; no day multiplier applies).
        first = earned(chain, member, basket(30000), "2026-03-31T10:00:00+08:00")
        assert first.points == 300
        sell(chain.a, member, [(1, 30000)], at=at("2026-03-31T10:00:00+08:00"))
        # 23:00 the same day: another 300 yuan would earn 300, but only 200 remain under the 500 cap.
        second = earned(chain, member, basket(30000), "2026-03-31T23:00:00+08:00")
        assert (second.points, story(second)) == (200, [("base", 300), ("day-500", -100)])
        # The cap applies after the Wednesday double: 00:30 on Wednesday 1 April is a new local day, and
        # 300 yuan doubled is 600, capped at 500.
        third = earned(chain, member, basket(30000), "2026-04-01T00:30:00+08:00")
        assert (third.points, story(third)) == (500, [("base", 300), ("double-wednesday", 300), ("day-500", -100)])

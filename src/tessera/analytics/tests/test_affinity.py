"""Affinities X → Y counted in the database on a small hand-made world whose answers are worked out below (run
on SQLite and on PostgreSQL: ``TESSERA_TEST_DB=postgres``).

Days after START, Shanghai, now = day 120, within 90 days, so only purchases up to day 30 are watched as X:

    ann  shoes 0, socks 20, shoes 40       shoes → socks, socks → shoes
    bob  shoes 5, socks 100                95 days later: too late
    cat  shoes 10 and socks 10             the same day: not "went on to"
    dan  shoes 10, socks 50, tea 60        shoes → socks, shoes → tea (socks on day 50 is not watched)
    eve  socks 1, shoes 15                 socks → shoes
    fay  shoes 70, socks 80                bought too late to be watched
    gus  tea 0
    ivy  shoes day 3 at 23:30, socks day 4 at 00:30: two local days (one UTC day): shoes → socks

Members 8; bought shoes 7, socks 7, tea 2; watched buyers of shoes 6 (all but fay), of socks 4 (ann, cat, eve, ivy).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from tessera.analytics.affinity import Level, affinities, affinities_cached
from tessera.analytics.tests.cycles_world import START, Buy, history_import
from tessera.testing import world_build

pytestmark = pytest.mark.django_db
NOW = datetime.combine(START + timedelta(days=120), time(12), tzinfo=ZoneInfo("Asia/Shanghai"))
PLAN = {
    "ann": [(0, "shoes"), (20, "socks"), (40, "shoes")],
    "bob": [(5, "shoes"), (100, "socks")],
    "cat": [(10, "shoes"), (10, "socks")],
    "dan": [(10, "shoes"), (50, "socks"), (60, "tea")],
    "eve": [(1, "socks"), (15, "shoes")],
    "fay": [(70, "shoes"), (80, "socks")],
    "gus": [(0, "tea")],
}
SKUS = {"shoes": "RUN-1", "socks": "SOCK-1", "tea": "TEA-1"}


@pytest.fixture
def program(tmp_path):
    world = world_build(stores=1)
    buys = [Buy(who, day, SKUS[cat], cat) for who, plan in PLAN.items() for day, cat in plan]
    buys += [Buy("ivy", 3, "RUN-1", "shoes", clock="23:30"), Buy("ivy", 4, "SOCK-1", "socks", clock="00:30")]
    history_import(world, buys, tmp_path)
    cache.clear()
    return world.program


def table(rules):
    return [(r.antecedent, r.consequent, r.support, r.antecedent_members, r.consequent_members, r.members)
            for r in rules]  # fmt: skip


def test_category_affinities_have_the_counts_worked_out_by_hand(program):
    rules = affinities(program=program, level=Level.CATEGORY, now=NOW, min_support=1)
    assert table(rules) == [
        ("shoes", "socks", 3, 6, 7, 8),
        ("socks", "shoes", 2, 4, 7, 8),
        ("shoes", "tea", 1, 6, 2, 8),
    ]
    shoes_socks, _socks_shoes, shoes_tea = rules
    assert (shoes_socks.confidence, shoes_socks.lift, shoes_socks.percent) == (0.5, pytest.approx(4 / 7), 50)
    assert shoes_tea.lift == pytest.approx((1 / 6) / (2 / 8))
    assert shoes_socks.reason() == "50 % of members who bought shoes bought socks within 90 days."


def test_minimum_support_and_antecedents_narrow_the_rules(program):
    assert table(affinities(program=program, level=Level.CATEGORY, now=NOW)) == [("shoes", "socks", 3, 6, 7, 8)]
    assert affinities(program=program, level=Level.CATEGORY, now=NOW, min_support=4) == []
    only = affinities(program=program, level=Level.CATEGORY, now=NOW, min_support=1, antecedents=["socks"])
    assert table(only) == [("socks", "shoes", 2, 4, 7, 8)]


def test_sku_affinities_name_the_item(program):
    rules = affinities(program=program, level=Level.SKU, now=NOW, min_support=2)
    assert [(r.antecedent, r.consequent, r.consequent_label, r.support) for r in rules] == [
        ("RUN-1", "SOCK-1", "Item SOCK-1", 3),
        ("SOCK-1", "RUN-1", "Item RUN-1", 2),
    ]


def test_a_shorter_horizon_counts_only_quicker_follow_ups(program):
    # Within 20 days: ann's socks came 20 days after her shoes (kept), dan's 40 days after (dropped); the watched
    # buyers are now those up to day 100: fay's shoes on day 70 count, and bob's 95-day gap is still too long.
    rules = affinities(program=program, level=Level.CATEGORY, now=NOW, within_days=20, min_support=1)
    assert table(rules)[:2] == [("shoes", "socks", 3, 7, 7, 8), ("socks", "shoes", 2, 7, 7, 8)]


def test_the_window_leaves_out_old_purchases(program):
    later = NOW + timedelta(days=300)  # the 365-day window now starts on day 55: ann, cat, eve, gus, ivy fall out
    rules = affinities(program=program, level=Level.CATEGORY, now=later, min_support=1)
    assert table(rules) == [("shoes", "socks", 1, 1, 2, 3)]  # fay: shoes 70, socks 80


def test_the_cached_table_is_computed_once_a_day(program, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = affinities_cached(program=program, level=Level.CATEGORY, now=NOW, antecedents=["shoes"])
    with django_assert_num_queries(0):
        again = affinities_cached(program=program, level=Level.CATEGORY, now=NOW, antecedents=["shoes"])
    assert first == again
    assert [r.consequent for r in first] == ["socks"]  # support 3; tea has 1


@pytest.mark.parametrize("bad", [{"within_days": 0}, {"window_days": 800}, {"min_support": 0}, {"limit": 501},
                                 {"within_days": 400, "window_days": 365}])  # fmt: skip
def test_bad_bounds_are_refused(db, bad):
    world = world_build(stores=1)
    with pytest.raises(ValueError, match="within_days"):
        affinities(program=world.program, level=Level.CATEGORY, now=NOW, **bad)

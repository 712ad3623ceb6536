"""Purchase cycles read from the members' documents (imported through the history importer): the median
interval and regularity per category, returns netted, local days of the store, one query per member, and the
store's "due soon" list."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tessera.analytics.cycles import OVERALL, member_rhythms, store_due
from tessera.analytics.regularity import DueState, Regularity
from tessera.analytics.tests.cycles_world import START, Buy, history_import
from tessera.members.models import Member
from tessera.testing import world_build

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def moment(day: int, clock: str = "12:00") -> datetime:
    return datetime.combine(START + timedelta(days=day), time.fromisoformat(clock), tzinfo=SHANGHAI)


@pytest.fixture
def shop(tmp_path):
    world = world_build(stores=2)
    buys = [Buy("ann", d, "BEAN-1", "coffee beans") for d in (0, 21, 42, 63)]
    buys += [Buy("ann", 30, "SHOE-1", "running shoes")]
    buys += [Buy("bob", d, "TEA-1", "tea") for d in (0, 3, 30)]  # irregular: gaps 3 and 27
    buys += [Buy("cat", d, "BEAN-1", "coffee beans") for d in (0, 10)] + [Buy("cat", 10, "BEAN-1", "coffee beans", -1)]
    return world, history_import(world, buys, tmp_path)


def by_category(rhythms):
    return {r.category: r for r in rhythms}


def test_a_regular_buyer_has_the_median_interval_and_the_next_day_after_the_last(shop, django_assert_num_queries):
    _world, members = shop
    with django_assert_num_queries(1):
        rhythms = by_category(member_rhythms(member_id=members["ann"].id, zone=SHANGHAI, now=moment(80)))
    beans = rhythms["coffee beans"]
    assert (beans.cycle.days, beans.cycle.interval_days, beans.cycle.regularity) == (4, 21, Regularity.REGULAR)
    assert beans.cycle.next_on == (START + timedelta(days=84))
    assert (beans.days_until, beans.days_since_last, beans.state) == (4, 17, DueState.DUE)
    assert "running shoes" not in rhythms  # bought once
    assert rhythms[OVERALL].cycle.days == 5
    assert "coffee beans about every 21 days; the last was 17 days ago" in beans.reason()


def test_gaps_of_three_and_twenty_seven_days_are_irregular(shop):
    _world, members = shop
    tea = by_category(member_rhythms(member_id=members["bob"].id, zone=SHANGHAI, now=moment(31)))["tea"]
    assert (tea.cycle.interval_days, tea.cycle.regularity) == (15, Regularity.IRREGULAR)


def test_a_purchase_returned_whole_is_no_purchase(shop):
    _world, members = shop
    assert member_rhythms(member_id=members["cat"].id, zone=SHANGHAI, now=moment(12)) == []


def test_days_are_the_store_zones_either_side_of_midnight(tmp_path):
    world = world_build(stores=1)
    buys = [Buy("dee", 0, "B", "bread", clock="23:30"), Buy("dee", 1, "B", "bread", clock="00:30"),
            Buy("dee", 2, "B", "bread", clock="00:30")]  # fmt: skip
    members = history_import(world, buys, tmp_path)
    dee = members["dee"]
    bread = by_category(member_rhythms(member_id=dee.id, zone=SHANGHAI, now=moment(3)))["bread"]
    assert (bread.cycle.days, bread.cycle.interval_days) == (3, 1)
    in_utc = by_category(member_rhythms(member_id=dee.id, zone=ZoneInfo("UTC"), now=moment(3)))["bread"]
    assert (in_utc.cycle.days, in_utc.cycle.last_on) == (2, START + timedelta(days=1))  # 23:30 and 00:30 are 1 UTC day


def test_a_merchant_sees_only_its_own_stores_purchases_when_asked_to(shop):
    world, members = shop
    ann = members["ann"].id
    assert member_rhythms(member_id=ann, zone=SHANGHAI, now=moment(80), merchant_id=world.merchant.id) != []
    assert member_rhythms(member_id=ann, zone=SHANGHAI, now=moment(80), merchant_id=world.merchant.id + 999) == []


def test_the_due_list_is_the_stores_members_due_or_overdue_soonest_first(shop):
    world, members = shop
    due = store_due(store=world.a.store, now=moment(80), within_days=7)
    rows = [(d.member_id, d.rhythm.category, d.rhythm.state) for d in due]
    ann = members["ann"].public_id
    # All her purchases (days 0, 21, 30, 42, 63: median gap 16.5, so 17) are due on day 80, her beans on day 84.
    assert rows == [(ann, OVERALL, DueState.DUE), (ann, "coffee beans", DueState.DUE)]
    assert store_due(store=world.b.store, now=moment(80), within_days=7) == []  # nobody enrolled there


def test_overdue_rows_come_first_and_lapsed_ones_go(shop):
    world, members = shop
    due = store_due(store=world.a.store, now=moment(50), within_days=3)
    bob = members["bob"].public_id  # tea on days 0, 3, 30: next on day 45, five days overdue
    rows = [(d.member_id, d.rhythm.category, d.rhythm.days_until) for d in due]
    assert rows == [(bob, OVERALL, -5), (bob, "tea", -5)]
    later = [(d.member_id, d.rhythm.category) for d in store_due(store=world.a.store, now=moment(61), within_days=3)]
    ann = members["ann"].public_id  # overall 7 days overdue on a 12-day rhythm, beans due on day 63
    assert later == [(ann, OVERALL), (ann, "coffee beans")]  # bob, 16 days overdue on a 15-day rhythm, has lapsed
    Member.objects.filter(id=members["bob"].id).update(status=Member.Status.FROZEN)
    assert store_due(store=world.a.store, now=moment(50), within_days=3) == []
    assert store_due(store=world.a.store, now=moment(200), within_days=3) == []  # everyone lapsed


@pytest.mark.parametrize(("within", "limit"), [(0, 10), (367, 10), (7, 0), (7, 501)])
def test_a_bad_window_or_limit_is_refused(db, within, limit):
    world = world_build(stores=1)
    with pytest.raises(ValueError, match="within_days"):
        store_due(store=world.a.store, now=moment(0), within_days=within, limit=limit)

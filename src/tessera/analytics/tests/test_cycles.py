"""Purchase cycles from the running statistics: the typical interval per category, the next expected purchase,
and the store's "due soon" list."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tessera.analytics.cycles import due_soon, member_cycles
from tessera.members.models import Member
from tessera.testing import member_new, sell, world_build

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 1, 15, tzinfo=SHANGHAI)


def buy(shop, member, day, category, at_hour=15):
    at = START.replace(hour=at_hour) + timedelta(days=day)
    with time_machine.travel(at, tick=False):
        sell(shop, member, [(1, 10_000)], category=category, at=at)


@pytest.fixture
def chain():
    world = world_build(stores=2)
    regular, once, other_store = member_new(world), member_new(world), None
    for day in (0, 10, 20):
        buy(world.a, regular, day, "tops")  # every ten days
    buy(world.a, regular, 5, "shoes")
    buy(world.a, once, 3, "tops")
    other_store = Member.objects.filter(id=member_new(world).id)
    other_store.update(enrolled_store=world.b.store)
    for day in (0, 10, 20):
        buy(world.b, other_store.get(), day, "tops")
    return world, regular, once, other_store.get()


def test_a_member_buying_every_ten_days_is_expected_ten_days_after_the_last(chain):
    _world, regular, once, _other = chain
    [tops] = member_cycles(member_id=regular.id)  # shoes were bought once: no rhythm yet
    assert (tops.category, tops.purchases, tops.interval_days) == ("tops", 3, 10)
    assert tops.next_at == START + timedelta(days=30)
    assert tops.days_until(START + timedelta(days=27)) == 3
    assert tops.days_until(START + timedelta(days=32)) == -2
    assert "every 10 days" in tops.reason()
    assert member_cycles(member_id=once.id) == []


def test_the_due_list_is_the_stores_own_active_members_inside_the_window(chain):
    world, regular, _once, other = chain
    due = due_soon(store_id=world.a.store.id, now=START + timedelta(days=25), within_days=7)
    assert [(d.member_id, d.cycle.category) for d in due] == [(regular.public_id, "tops")]
    assert due_soon(store_id=world.a.store.id, now=START + timedelta(days=45), within_days=7) == []  # long gone
    assert due_soon(store_id=world.a.store.id, now=START + timedelta(days=20), within_days=7) == []  # not yet
    at_b = due_soon(store_id=world.b.store.id, now=START + timedelta(days=25), within_days=7)
    assert [d.member_id for d in at_b] == [other.public_id]
    Member.objects.filter(id=regular.id).update(status=Member.Status.FROZEN)
    assert due_soon(store_id=world.a.store.id, now=START + timedelta(days=25), within_days=7) == []


def test_purchases_hours_apart_are_one_trip_not_a_cycle(db):
    world = world_build(stores=1)
    member = member_new(world)
    buy(world.a, member, 0, "tops", at_hour=10)
    buy(world.a, member, 0, "tops", at_hour=16)
    assert member_cycles(member_id=member.id) == []


@pytest.mark.parametrize(("within", "limit"), [(0, 10), (367, 10), (7, 0), (7, 501)])
def test_a_bad_window_or_limit_is_refused(db, within, limit):
    with pytest.raises(ValueError, match="within_days"):
        due_soon(store_id=1, now=START, within_days=within, limit=limit)

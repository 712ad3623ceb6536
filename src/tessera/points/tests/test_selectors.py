"""Points expiring soon: unspent points grouped by the instant they lapse, within a window from now."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from tessera.checkout.commands import RedemptionIn
from tessera.checkout.services import points_redeem
from tessera.points.selectors import points_expiring_get, points_expiring_window_days
from tessera.programs.models import Program
from tessera.testing import key, member_new, sell, world_build

pytestmark = pytest.mark.django_db


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


@pytest.fixture
def world():
    # Points stay valid through the local earning date + 10 days: earned on 1 May, gone at 12 May 00:00.
    return world_build(points_expiry_policy="days_after_earning", points_expiry_days=10)


def sell_at(world, member, at: str, price_minor: int) -> None:
    with time_machine.travel(shanghai(at), tick=False):
        sell(world.a, member, [(1, price_minor)])


def redeem_at(world, member, at: str, points: int) -> None:
    moment = shanghai(at)
    command = RedemptionIn(member=member.public_id, pos_number=key(), event_at=moment, points=points)
    with time_machine.travel(moment, tick=False):
        points_redeem(actor=world.a.actor, redemption=command, request_key=key(), now=moment)


@pytest.fixture
def member(world):
    member = member_new(world)
    sell_at(world, member, "2026-05-01T10:00:00", 10_000)  # 100 points, lapse 2026-05-12 00:00
    sell_at(world, member, "2026-05-01T15:00:00", 5_000)  # 50 points, the same instant
    sell_at(world, member, "2026-05-03T10:00:00", 20_000)  # 200 points, lapse 2026-05-14 00:00
    sell_at(world, member, "2026-05-20T10:00:00", 7_000)  # 70 points, lapse 2026-05-31 00:00
    redeem_at(world, member, "2026-05-05T10:00:00", 30)  # taken from the earliest lot: 100 -> 70
    return member


def test_groups_unspent_points_by_expiry_instant_soonest_first(world, member):
    sell_at(world, member_new(world), "2026-05-01T10:00:00", 90_000)  # someone else's lot is never counted
    got = points_expiring_get(member_id=member.id, now=shanghai("2026-05-07T00:00:00"), within_days=7)
    # 70 + 50 left of 1 May's lots; 3 May's 200 lapse exactly at the window's end, which is included.
    assert got.expiries == [(shanghai("2026-05-12T00:00:00"), 120), (shanghai("2026-05-14T00:00:00"), 200)]
    assert (got.total, got.until, got.within_days) == (320, shanghai("2026-05-14T00:00:00"), 7)


def test_a_shorter_window_leaves_later_expiries_out(member):
    got = points_expiring_get(member_id=member.id, now=shanghai("2026-05-07T00:00:00"), within_days=6)
    assert (got.expiries, got.total) == ([(shanghai("2026-05-12T00:00:00"), 120)], 120)


def test_points_that_lapsed_at_midnight_are_no_longer_expiring_soon(member):
    got = points_expiring_get(member_id=member.id, now=shanghai("2026-05-12T00:00:00"), within_days=30)
    # The sweep has not run, but 1 May's points lapsed at local midnight: they are gone, not "soon".
    assert got.expiries == [(shanghai("2026-05-14T00:00:00"), 200), (shanghai("2026-05-31T00:00:00"), 70)]
    assert got.total == 270


def test_points_that_never_expire_are_not_listed():
    world = world_build()  # points never expire
    member = member_new(world)
    sell_at(world, member, "2026-05-01T10:00:00", 10_000)
    got = points_expiring_get(member_id=member.id, now=shanghai("2026-05-02T00:00:00"), within_days=3650)
    assert (got.expiries, got.total) == ([], 0)


@pytest.mark.parametrize(("reminder_days", "window_days"), [(14, 14), (0, 30)])
def test_the_window_is_the_reminder_period_or_30_days_without_reminders(reminder_days, window_days):
    program = Program(points_expiry_reminder_days=reminder_days)
    assert points_expiring_window_days(program=program) == window_days

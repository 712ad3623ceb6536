"""Lots follow every points movement, expire exactly at the programme's local midnight, and the sweep is
set-based, idempotent and resumable."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
import time_machine

from tessera.checkout.commands import RedemptionIn
from tessera.checkout.services import points_redeem
from tessera.kit.errors import DomainError
from tessera.ledger.models import Entry, Posting
from tessera.ledger.verify import ledger_verify
from tessera.members.selectors import member_balances
from tessera.messaging.models import OutboxMessage
from tessera.points import jobs
from tessera.points.jobs import points_expiry_run
from tessera.points.models import PointsLot
from tessera.stores.selectors import headquarters_get
from tessera.testing import give_back, key, member_new, sell, world_build

pytestmark = pytest.mark.django_db
SHANGHAI_NEW_YEAR = datetime.fromisoformat("2027-01-01T00:00:00+08:00")


@pytest.fixture
def world():
    # Points lapse at the end of the year after 0 months: 2026's points are gone at 2027-01-01 00:00 Shanghai.
    return world_build(points_expiry_policy="end_of_year_after", points_expiry_months=0, points_expiry_reminder_days=30)


def redeem(world, member, points, at):
    command = RedemptionIn(member=member.public_id, pos_number=key(), event_at=at, points=points)
    return points_redeem(actor=world.a.actor, redemption=command, request_key=key(), now=at)


def test_each_sale_opens_a_lot_and_spending_takes_the_earliest_expiry_first(world):
    member = member_new(world)
    with time_machine.travel(datetime.fromisoformat("2026-12-20T12:00:00+08:00"), tick=False):
        sell(world.a, member, [(1, 30000)])  # 300 points, lapse 2027-01-01
    with time_machine.travel(datetime.fromisoformat("2027-01-05T12:00:00+08:00"), tick=False):
        # The sweep has not run, but lapsed points are already unspendable.
        with pytest.raises(DomainError) as exc:
            redeem(world, member, 1, datetime.fromisoformat("2027-01-05T12:00:00+08:00"))
        assert exc.value.code == "insufficient_balance"
        sell(world.a, member, [(1, 20000)])  # 200 points, lapse 2028-01-01
        redeem(world, member, 150, datetime.fromisoformat("2027-01-05T12:00:00+08:00"))
    lots = list(PointsLot.objects.filter(member=member).order_by("id").values_list("points", "remaining"))
    assert lots == [(300, 300), (200, 50)]


def test_points_are_spendable_at_235959_and_gone_at_midnight_local(world):
    member = member_new(world)
    with time_machine.travel(datetime.fromisoformat("2026-06-01T10:00:00+08:00"), tick=False):
        sell(world.a, member, [(1, 10000)])
    last_second = SHANGHAI_NEW_YEAR - timedelta(seconds=1)
    with time_machine.travel(last_second, tick=False):
        redeem(world, member, 40, last_second)
    with time_machine.travel(SHANGHAI_NEW_YEAR, tick=False), pytest.raises(DomainError):
        redeem(world, member, 1, SHANGHAI_NEW_YEAR)


def test_the_sweep_posts_breakage_once_and_a_second_run_does_nothing(world):
    members = [member_new(world) for _ in range(3)]
    with time_machine.travel(datetime.fromisoformat("2026-05-01T10:00:00+08:00"), tick=False):
        for points, member in zip([100, 250, 0], members, strict=True):
            if points:
                sell(world.a, member, [(1, points * 100)])
    with time_machine.travel(SHANGHAI_NEW_YEAR + timedelta(minutes=5), tick=False):
        first = points_expiry_run(program_id=world.program.id, local_date=date(2027, 1, 1))
        again = points_expiry_run(program_id=world.program.id, local_date=date(2027, 1, 1))
    assert (first["members"], first["points"]) == (2, 350)
    assert (again["members"], again["points"]) == (0, 0)
    assert [member_balances(member=m).points for m in members] == [0, 0, 0]
    postings = Posting.objects.filter(reason="expiry")
    assert [p.source_id for p in postings] == ["2027-01-01", "2027-01-01"]  # the local day, not UTC's 31 December
    assert ledger_verify() == []
    assert list(PointsLot.objects.order_by("id").values_list("remaining", "expired")) == [(0, 100), (0, 250)]


def test_breakage_is_credited_to_each_store_that_issued_the_lapsing_points(world):
    member = member_new(world)
    with time_machine.travel(datetime.fromisoformat("2026-05-01T10:00:00+08:00"), tick=False):
        sell(world.a, member, [(1, 10000)])  # 100 points issued by S001
        sell(world.b, member, [(1, 25000)])  # 250 by S002
        sell(world.b, member, [(1, 5000)])  # 50 more by S002
        sell(world.a, member, [(1, 3000)])  # 30, whose lot is made to look older than stores on lots
    PointsLot.objects.filter(id=PointsLot.objects.order_by("-id").values("id")[:1]).update(store=None)
    with time_machine.travel(SHANGHAI_NEW_YEAR + timedelta(minutes=5), tick=False):
        points_expiry_run(program_id=world.program.id, local_date=date(2027, 1, 1))
    (posting,) = Posting.objects.filter(reason="expiry")
    hq = headquarters_get(merchant_id=world.merchant.id)
    entries = Entry.objects.filter(posting=posting).values_list("account__kind", "account__store_id", "amount",
                                                                "origin_store_id")  # fmt: skip
    # One entry per issuing store, on that store's own account, so none names an origin; headquarters takes the
    # lot that names no store.
    assert sorted(entries, key=lambda e: e[2]) == [
        ("member_points", None, -430, None),
        ("store_points_expired", hq.id, 30, None),
        ("store_points_expired", world.a.store.id, 100, None),
        ("store_points_expired", world.b.store.id, 300, None),
    ]
    assert posting.store_id == hq.id
    assert ledger_verify() == []


def test_the_sweep_before_local_midnight_expires_nothing(world):
    member = member_new(world)
    with time_machine.travel(datetime.fromisoformat("2026-05-01T10:00:00+08:00"), tick=False):
        sell(world.a, member, [(1, 10000)])
    assert points_expiry_run(program_id=world.program.id, local_date=date(2026, 12, 31))["points"] == 0
    assert member_balances(member=member).points == 100


def test_an_interrupted_sweep_resumes_without_expiring_anything_twice(world):
    members = [member_new(world) for _ in range(5)]
    with time_machine.travel(datetime.fromisoformat("2026-05-01T10:00:00+08:00"), tick=False):
        for member in members:
            sell(world.a, member, [(1, 10000)])
    real = jobs._post_breakage
    calls = {"n": 0}

    def crash_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    with mock.patch.object(jobs, "_post_breakage", crash_on_third), pytest.raises(RuntimeError):
        points_expiry_run(program_id=world.program.id, local_date=date(2027, 1, 1), batch_size=2)
    assert sum(member_balances(member=m).points for m in members) == 100  # two batches of two done, one left
    resumed = points_expiry_run(program_id=world.program.id, local_date=date(2027, 1, 1), batch_size=2)
    assert (resumed["members"], resumed["points"]) == (1, 100)
    assert Posting.objects.filter(reason="expiry").count() == 5
    assert ledger_verify() == []


def test_members_are_reminded_once_before_their_points_lapse(world):
    member = member_new(world)
    with time_machine.travel(datetime.fromisoformat("2026-05-01T10:00:00+08:00"), tick=False):
        sell(world.a, member, [(1, 10000)])
    with time_machine.travel(datetime.fromisoformat("2026-12-10T00:05:00+08:00"), tick=False):
        points_expiry_run(program_id=world.program.id, local_date=date(2026, 12, 10))
        points_expiry_run(program_id=world.program.id, local_date=date(2026, 12, 11))
    reminders = list(OutboxMessage.objects.filter(kind="points.expiring"))
    assert len(reminders) == 1
    assert reminders[0].payload["points"] == 100
    assert reminders[0].payload["member_id"] == member.public_id


def test_a_return_takes_back_its_own_sales_points_first(world):
    member = member_new(world)
    with time_machine.travel(datetime.fromisoformat("2026-12-20T10:00:00+08:00"), tick=False):
        sell(world.a, member, [(1, 10000)], pos_number="EARLY")
    with time_machine.travel(datetime.fromisoformat("2027-02-01T10:00:00+08:00"), tick=False):
        sell(world.a, member, [(1, 5000)], pos_number="LATE")
        give_back(world.a, "LATE")
    # The early lot lapsed on 1 Jan; the return took its 50 points from the LATE lot, not from the early one.
    assert list(PointsLot.objects.order_by("id").values_list("remaining", flat=True)) == [100, 0]

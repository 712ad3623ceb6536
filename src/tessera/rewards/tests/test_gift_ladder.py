"""Worked examples of seed 002's monthly gift ladder, replayed month by month through gift_ladder_record.

The ladder: points earned within one calendar month (programme time) of 1,000 / 2,000 / 3,000 unlock cash
coupons of 50 / 100 / 150 yuan, valid only on clothing; 1 yuan = 1 point. Checkout is not wired yet, so each
sale or return is the call checkout will make: its points, and the sale's till time (``event_at``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tessera.members.selectors import member_balances
from tessera.rewards.errors import RewardClaimClosed
from tessera.rewards.models import GiftLadder, MemberPeriodPoints, RewardGrant
from tessera.rewards.selectors import gift_ladder_progress, reward_grant_list_open
from tessera.rewards.services import reward_claim, rewards_lapse_run
from tessera.rewards.tests.factories import grants, local, record, seed_ladder
from tessera.testing import member_new, sell, world_build

pytestmark = pytest.mark.django_db

SH = "Asia/Shanghai"
SEOUL = "Asia/Seoul"


def months(member):
    return {c.month.strftime("%Y-%m"): c.points for c in MemberPeriodPoints.objects.filter(member=member)}


def test_a_shanghai_members_spring_replayed_sale_by_sale():
    world = world_build(timezone=SH)
    seed_ladder(world.program)
    member = member_new(world)

    # 5 March, 10:00: 800 yuan. Below the first step; 200 points to go before the end of March.
    assert record(member, 800, local(SH, 2026, 3, 5, 10, 0)) == []
    (progress,) = gift_ladder_progress(member=member, now=local(SH, 2026, 3, 5, 10, 0))
    assert (progress.month, progress.points, progress.points_to_next) == (date(2026, 3, 1), 800, 200)
    assert progress.month_ends_at == local(SH, 2026, 4, 1, 0, 0)

    # 31 March, 23:59 local (15:59 UTC): 250 yuan, still March. 1,050 points unlock the 50 yuan coupon,
    # claimable until the end of April.
    (march_gift,) = record(member, 250, local(SH, 2026, 3, 31, 23, 59))
    assert march_gift.reward == {"kind": "cash_coupon", "amount_minor": 5000, "currency": "CNY",
                                 "categories": ["clothing"], "usable_at_once": True, "valid_days": None}  # fmt: skip
    assert march_gift.claim_until == local(SH, 2026, 5, 1, 0, 0)

    # 1 April, 00:00 local (16:00 UTC on 31 March): 1,200 yuan count for April only. March's 1,050 do not
    # carry over, so April has 1,200 (not 2,250): the 1,000 step of April unlocks, the 2,000 step does not.
    (april_first,) = record(member, 1200, local(SH, 2026, 4, 1, 0, 0))
    assert months(member) == {"2026-03": 1050, "2026-04": 1200}
    assert (april_first.month, april_first.step.threshold_points) == (date(2026, 4, 1), 1000)

    # 15 April: 900 more make April 2,100: the 100 yuan coupon unlocks; the 1,000 step is not given twice.
    (april_second,) = record(member, 900, local(SH, 2026, 4, 15, 15, 0))
    assert april_second.reward["amount_minor"] == 10000
    assert record(member, 100, local(SH, 2026, 4, 16, 9, 0)) == []  # 2,200: nothing new
    assert grants(member) == [("2026-03", 1000, "unlocked"), ("2026-04", 1000, "unlocked"),
                              ("2026-04", 2000, "unlocked")]  # fmt: skip

    # 16 April: the member takes the 50 yuan coupon of April at store A.
    reward_claim(grant=april_first, actor=world.a.actor, now=local(SH, 2026, 4, 16, 9, 5))

    # 3 May: the 1,200 yuan sale of 1 April comes back. It comes off April (2,200 -> 1,000), not May. April's
    # unclaimed 100 yuan gift (2,000 step) is revoked; the claimed 50 yuan one stays with the member.
    revoked = record(member, -1200, local(SH, 2026, 4, 1, 0, 0), now=local(SH, 2026, 5, 3, 11, 0))
    assert [(g.step.threshold_points, g.state) for g in revoked] == [(2000, "revoked")]
    assert months(member) == {"2026-03": 1050, "2026-04": 1000}
    assert grants(member) == [("2026-03", 1000, "unlocked"), ("2026-04", 1000, "claimed"),
                              ("2026-04", 2000, "revoked")]  # fmt: skip

    # March's gift was never claimed. The run for 30 April keeps it; the run as 1 May begins loses it.
    assert rewards_lapse_run(program_id=world.program.id, local_date=date(2026, 4, 30))["lost"] == 0
    assert rewards_lapse_run(program_id=world.program.id, local_date=date(2026, 5, 1))["lost"] == 1
    march_gift.refresh_from_db()
    assert (march_gift.state, march_gift.lost_at) == ("lost", datetime(2026, 4, 30, 16, 0, tzinfo=UTC))
    with pytest.raises(RewardClaimClosed):
        reward_claim(grant=march_gift, actor=world.a.actor, now=local(SH, 2026, 5, 1, 9, 0))

    # 10 May: one 3,100 yuan sale crosses all three steps at once: 50 + 100 + 150 yuan.
    may = record(member, 3100, local(SH, 2026, 5, 10, 14, 0))
    assert [g.reward["amount_minor"] for g in may] == [5000, 10000, 15000]
    assert [g.step.threshold_points for g in reward_grant_list_open(member=member, now=local(SH, 2026, 5, 10, 14, 1))] \
        == [1000, 2000, 3000]  # fmt: skip


def test_a_seoul_member_across_new_year():
    """Asia/Seoul (UTC+9), won, a 7-day claim window: the year's last minute and the next year's first."""
    world = world_build(country="KR", timezone=SEOUL, currency="KRW")
    seed_ladder(world.program, amounts_minor=(50_000, 100_000, 150_000),
                claim_policy=GiftLadder.ClaimPolicy.DAYS_AFTER_UNLOCK, claim_days=7)  # fmt: skip
    member = member_new(world, phone="01012345678")

    # 31 December 2026, 23:59 in Seoul: 1,000 points for December. Claimable through 7 January.
    (december,) = record(member, 1000, local(SEOUL, 2026, 12, 31, 23, 59))
    assert december.month == date(2026, 12, 1)
    assert december.reward["currency"] == "KRW"
    assert december.claim_until == local(SEOUL, 2027, 1, 8, 0, 0)

    # 1 January 2027, 00:00 in Seoul, which is still 31 December in UTC: January's count starts from zero.
    new_year = local(SEOUL, 2027, 1, 1, 0, 0)
    assert new_year.astimezone(UTC).date() == date(2026, 12, 31)
    (january,) = record(member, 1500, new_year)
    assert months(member) == {"2026-12": 1000, "2027-01": 1500}
    assert january.claim_until == local(SEOUL, 2027, 1, 9, 0, 0)

    # The run for 7 January keeps December's gift; the run for 8 January loses it. January's is claimed in the
    # last minute of its window.
    assert rewards_lapse_run(program_id=world.program.id, local_date=date(2027, 1, 7))["lost"] == 0
    assert rewards_lapse_run(program_id=world.program.id, local_date=date(2027, 1, 8))["lost"] == 1
    reward_claim(grant=january, actor=world.a.actor, now=local(SEOUL, 2027, 1, 8, 23, 59))
    assert grants(member) == [("2026-12", 1000, "lost"), ("2027-01", 1000, "claimed")]


def test_the_ladder_never_touches_the_points_balance():
    # Real sales earn ordinary points on the ledger; the ladder counts alongside, and its gifts lapsing,
    # being claimed or revoked leave that balance as it was.
    world = world_build(timezone=SH)
    seed_ladder(world.program)
    member = member_new(world)
    sell(world.a, member, [(1, 150000)])  # 1,500 yuan: 1,500 points on the ledger
    (gift,) = record(member, 1500, local(SH, 2026, 3, 2, 10, 0))
    rewards_lapse_run(program_id=world.program.id, local_date=date(2026, 5, 1))
    gift.refresh_from_db()
    assert gift.state == "lost"
    assert member_balances(member=member).points == 1500


def test_a_late_synced_sale_counts_for_its_till_month_with_a_window_from_when_it_arrived():
    world = world_build(timezone=SH)
    seed_ladder(world.program, claim_policy=GiftLadder.ClaimPolicy.DAYS_AFTER_UNLOCK, claim_days=7)
    member = member_new(world)
    (gift,) = record(member, 1000, local(SH, 2026, 3, 31, 23, 59), now=local(SH, 2026, 4, 1, 0, 5))
    assert gift.month == date(2026, 3, 1)
    assert gift.unlocked_at == local(SH, 2026, 4, 1, 0, 5)
    assert gift.claim_until == local(SH, 2026, 4, 9, 0, 0)  # 1 April + 7 days, to the end of 8 April


class TestReturns:
    @pytest.fixture
    def world(self):
        world = world_build(timezone=SH)
        seed_ladder(world.program)
        return world

    @pytest.fixture
    def member(self, world):
        return member_new(world)

    def test_buying_back_over_a_revoked_step_unlocks_it_again(self, member):
        (first,) = record(member, 1000, local(SH, 2026, 3, 2, 10, 0))
        assert [g.id for g in record(member, -100, local(SH, 2026, 3, 2, 10, 0))] == [first.id]  # 900: revoked
        (second,) = record(member, 100, local(SH, 2026, 3, 9, 10, 0))  # 1,000 again
        assert second.id != first.id
        assert grants(member) == [("2026-03", 1000, "revoked"), ("2026-03", 1000, "unlocked")]

    def test_a_claimed_step_is_not_unlocked_again_after_a_return_and_a_new_sale(self, world, member):
        (gift,) = record(member, 1000, local(SH, 2026, 3, 2, 10, 0))
        reward_claim(grant=gift, actor=world.a.actor, now=local(SH, 2026, 3, 2, 10, 1))
        assert record(member, -500, local(SH, 2026, 3, 2, 10, 0)) == []  # 500: the claimed gift stays
        assert record(member, 600, local(SH, 2026, 3, 20, 10, 0)) == []  # 1,100: still once per month
        assert grants(member) == [("2026-03", 1000, "claimed")]

    def test_a_return_never_takes_a_month_below_zero(self, member):
        # The ladder was set up on 20 March; a sale of 12 March was never counted, but its return is.
        record(member, 300, local(SH, 2026, 3, 20, 10, 0))
        record(member, -500, local(SH, 2026, 3, 12, 10, 0), now=local(SH, 2026, 3, 21, 10, 0))
        assert months(member) == {"2026-03": 0}

    def test_a_return_into_a_month_with_no_points_changes_nothing(self, member):
        assert record(member, -500, local(SH, 2026, 2, 12, 10, 0), now=local(SH, 2026, 3, 21, 10, 0)) == []
        assert months(member) == {}


def test_only_the_ladders_active_dates_count():
    world = world_build(timezone=SH)
    seed_ladder(world.program, active_from=date(2026, 3, 1), active_to=date(2026, 4, 1))
    member = member_new(world)
    record(member, 999, local(SH, 2026, 2, 28, 23, 59))  # before the first day
    record(member, 400, local(SH, 2026, 3, 1, 0, 0))
    record(member, 500, local(SH, 2026, 3, 31, 23, 59))
    record(member, 700, local(SH, 2026, 4, 1, 0, 0))  # the first day no longer counted
    assert months(member) == {"2026-03": 900}
    assert gift_ladder_progress(member=member, now=local(SH, 2026, 4, 1, 0, 0)) == []


def test_two_ladders_count_the_same_points_each_on_its_own():
    world = world_build(timezone=SH)
    seed_ladder(world.program)
    seed_ladder(world.program, amounts_minor=(1000, 2000, 3000), active_from=date(2026, 3, 1))
    member = member_new(world)
    unlocked = record(member, 1000, local(SH, 2026, 3, 2, 10, 0))
    assert sorted(g.reward["amount_minor"] for g in unlocked) == [1000, 5000]
    assert MemberPeriodPoints.objects.filter(member=member, points=1000).count() == 2


def test_zero_points_record_nothing():
    world = world_build(timezone=SH)
    seed_ladder(world.program)
    member = member_new(world)
    assert record(member, 0, local(SH, 2026, 3, 2, 10, 0)) == []
    assert not MemberPeriodPoints.objects.exists()
    assert not RewardGrant.objects.exists()

"""Lifecycle stages: thresholds learned per programme, their fallback, and reactivation across runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from tessera.analytics.rules import Stage, ThresholdSource
from tessera.analytics.selectors import rfm_stage_counts
from tessera.analytics.tests.factories import SEOUL, SH, at, bought, member, run_on, scores, world_in
from tessera.kit.db import db_datetime
from tessera.members.models import MemberStats
from tessera.members.stats import member_stats_add_select

pytestmark = pytest.mark.django_db


def rhythm(world, base_days: int, *, buyers: int = 40, last: str = "2026-02-27") -> None:
    """``buyers`` members with three purchases each, member i every ``base_days + i // 4`` days (ties by four)."""
    for i in range(buyers):
        who = member(world)
        interval = base_days + i // 4
        for k in range(3):
            bought(who, at(world.program.timezone, date.fromisoformat(last) - timedelta(days=k * interval)))


def test_two_programmes_with_different_rhythms_learn_different_thresholds():
    weekly, monthly = world_in(SH, name="Grocer"), world_in(SEOUL, name="Salon")
    rhythm(weekly, 7)
    rhythm(monthly, 30)
    w, m = run_on(weekly, "2026-03-01"), run_on(monthly, "2026-03-01")
    # Forty intervals base, base (x4), base + 1 (x4), ... base + 9 (x4): the nearest-rank 50th percentile is the
    # 20th (base + 4), the 80th the 32nd (base + 7), the 95th the 38th (base + 9).
    assert (w.typical_days, w.at_risk_days, w.lapsed_days, w.repeat_buyers) == (11, 14, 16, 40)
    assert (m.typical_days, m.at_risk_days, m.lapsed_days, m.repeat_buyers) == (34, 37, 39, 40)
    assert w.thresholds_source == m.thresholds_source == ThresholdSource.LEARNED


def test_repeat_buyers_whose_purchases_fell_on_one_day_teach_nothing():
    world = world_in(SH)
    rhythm(world, 10, buyers=30)
    same_day = member(world)
    bought(same_day, at(SH, "2026-02-20", "09:00"))
    bought(same_day, at(SH, "2026-02-20", "18:00"))
    run = run_on(world, "2026-03-01")
    assert run.repeat_buyers == 30


def test_too_few_repeat_buyers_use_the_default_thresholds():
    world = world_in(SH)
    rhythm(world, 10, buyers=29)
    run = run_on(world, "2026-03-01")
    assert (run.typical_days, run.at_risk_days, run.lapsed_days) == (30, 90, 180)
    assert (run.thresholds_source, run.repeat_buyers) == (ThresholdSource.DEFAULT, 29)


def test_stages_in_one_run():
    world = world_in(SH)  # too few repeat buyers: 30, 90 and 180 days
    newcomer, single_old, regular, sleeping, gone = (member(world) for _ in range(5))
    bought(newcomer, at(SH, "2026-02-20"))
    bought(single_old, at(SH, "2026-01-20"))
    for days in (5, 25, 45):
        bought(regular, at(SH, "2026-03-01") - timedelta(days=days))
    bought(sleeping, at(SH, "2025-11-20"))
    bought(gone, at(SH, "2025-06-01"))
    got = scores(run_on(world, "2026-03-01"))
    assert [got[m.id].stage for m in (newcomer, single_old, regular, sleeping, gone)] == [
        Stage.NEW, Stage.ACTIVE, Stage.ACTIVE, Stage.AT_RISK, Stage.LAPSED,
    ]  # fmt: skip


def test_a_member_at_risk_who_buys_again_is_reactivated_until_they_buy_once_more():
    world = world_in(SH)
    dormant, lapsed, steady = member(world), member(world), member(world)
    bought(dormant, at(SH, "2025-11-20"))  # 101 days before 1 March: at risk
    bought(dormant, at(SH, "2025-11-01"))
    bought(lapsed, at(SH, "2025-06-01"))
    bought(steady, at(SH, "2026-02-25"))
    first = run_on(world, "2026-03-01")
    stages = [scores(first)[m.id].stage for m in (dormant, lapsed, steady)]
    assert stages == [Stage.AT_RISK, Stage.LAPSED, Stage.NEW]
    bought(dormant, at(SH, "2026-03-01", "10:00"))
    bought(lapsed, at(SH, "2026-03-01", "11:00"))
    second = run_on(world, "2026-03-02")
    assert second.previous == first
    stages = [scores(second)[m.id].stage for m in (dormant, lapsed, steady)]
    assert stages == [Stage.REACTIVATED, Stage.REACTIVATED, Stage.NEW]
    third = run_on(world, "2026-03-03")  # no purchase since coming back: still reactivated
    assert scores(third)[dormant.id].stage == Stage.REACTIVATED
    bought(dormant, at(SH, "2026-03-03", "10:00"))
    fourth = run_on(world, "2026-03-04")
    assert [scores(fourth)[m.id].stage for m in (dormant, lapsed)] == [Stage.ACTIVE, Stage.REACTIVATED]
    counts = {c.code: c.members for c in rfm_stage_counts(run=fourth)}
    assert counts == {"new": 1, "active": 1, "reactivated": 1, "at_risk": 0, "lapsed": 0}


def test_the_purchase_before_the_last_is_kept_whatever_order_the_sales_arrive_in():
    world = world_in(SH)
    who = member(world)
    stats = MemberStats.objects.filter(member=who)
    bought(who, at(SH, "2026-02-10"))
    assert stats.values_list("previous_purchase_at", "program_id").get() == (None, world.program.id)
    bought(who, at(SH, "2026-02-20"))
    bought(who, at(SH, "2026-02-15"))  # a late offline sale between the two: now the one before the last
    assert stats.get().previous_purchase_at == at(SH, "2026-02-15")
    bought(who, at(SH, "2026-01-01"))  # older than all: changes nothing
    assert stats.get().previous_purchase_at == at(SH, "2026-02-15")
    bought(who, at(SH, "2026-02-25"))
    assert (stats.get().last_purchase_at, stats.get().previous_purchase_at) == (at(SH, "2026-02-25"),
                                                                               at(SH, "2026-02-20"))  # fmt: skip
    bought(who, at(SH, "2026-02-25"))  # two sales at the same instant: no gap between them
    assert stats.get().previous_purchase_at == at(SH, "2026-02-25")


def test_a_late_offline_sale_inside_a_long_absence_means_the_member_never_left():
    world = world_in(SH)  # default thresholds: at risk after 90 days
    back, late = member(world), member(world)
    for who in (back, late):
        bought(who, at(SH, "2025-09-01"))
        bought(who, at(SH, "2026-02-25"))
    bought(late, at(SH, "2025-12-20"))  # recorded late, between the two: the gap before the last is 67 days
    got = scores(run_on(world, "2026-03-01"))
    assert (got[back.id].stage, got[late.id].stage) == (Stage.REACTIVATED, Stage.ACTIVE)


def test_imported_batches_keep_the_purchase_before_the_last_across_batches():
    world = world_in(SH)
    who = member(world)
    bought(who, at(SH, "2026-02-10"))

    def batch(first: str, last: str, previous: str | None, purchases: int) -> None:
        ts = "CAST(%s AS timestamptz)" if connection.vendor == "postgresql" else "%s"  # a NULL needs its type
        row = "SELECT %s AS member_id, %s AS purchases, 0 AS returns, %s AS items_bought, 0 AS items_returned,"
        row += f" 100 AS spend_minor, 0 AS refund_minor, {ts} AS first_at, {ts} AS last_at, {ts} AS previous_at"
        times = [db_datetime(at(SH, day)) if day else None for day in (first, last, previous)]
        with transaction.atomic():
            member_stats_add_select(row, [who.id, purchases, purchases, *times])

    stats = MemberStats.objects.filter(member=who)
    batch("2026-01-01", "2026-02-20", "2026-02-15", 3)  # newer than the till's sale, with its own second newest
    assert stats.values_list("last_purchase_at", "previous_purchase_at").get() == (at(SH, "2026-02-20"),
                                                                                   at(SH, "2026-02-15"))  # fmt: skip
    batch("2025-12-01", "2026-01-05", "2026-01-03", 2)  # all older: nothing moves
    assert stats.get().previous_purchase_at == at(SH, "2026-02-15")
    batch("2026-02-18", "2026-02-18", None, 1)  # one sale between the last two
    assert stats.get().previous_purchase_at == at(SH, "2026-02-18")
    batch("2026-03-01", "2026-03-01", None, 1)  # one newer sale: the old last becomes the one before
    assert stats.values_list("last_purchase_at", "previous_purchase_at").get() == (at(SH, "2026-03-01"),
                                                                                   at(SH, "2026-02-20"))  # fmt: skip
    assert stats.get().purchase_count == 8

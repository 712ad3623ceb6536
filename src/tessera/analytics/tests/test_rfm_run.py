"""An RFM run in the database: quintiles and their ties, the reference date and time zones, returns, idempotence,
and the three ways of scoring a member (the run's arrays, SQL over the statistics, Python for one member) agreeing."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest
from django.db import connection

from tessera.analytics import rfm_sql
from tessera.analytics.errors import ReferenceDatePassed
from tessera.analytics.models import RfmCell, RfmRun
from tessera.analytics.rules import SCORES, WorkingGroup, group_of, group_sql, segment_of, segment_sql
from tessera.analytics.selectors import (
    rfm_grid,
    rfm_group_counts,
    rfm_member_ids,
    rfm_member_latest,
    rfm_scores,
    rfm_segment_counts,
)
from tessera.analytics.services import rfm_run_create
from tessera.analytics.tests.factories import SEOUL, SH, at, bought, member, returned, run_on, scores, world_in
from tessera.kit.db import sql_rows

pytestmark = pytest.mark.django_db

D = "2026-03-01"


def test_members_with_the_same_value_share_a_score():
    world = world_in(SH)
    counts = [1, 1, 1, 1, 1, 1, 2, 2, 3, 5, 8, 13]
    people = [member(world) for _ in counts]
    for who, count in zip(people, counts, strict=True):
        for k in range(count):
            bought(who, at(SH, "2026-02-01") + timedelta(minutes=k))
    run = run_on(world, D)
    got = scores(run)
    # 12 members: the cuts are the 3rd, 6th, 8th and 10th values in order, 1, 1, 2 and 5. The six one-time
    # buyers all score 1; nobody scores 2, as two cuts are the same value.
    assert run.score_cuts["frequency"] == [1, 1, 2, 5]
    assert [got[p.id].f_score for p in people] == [1, 1, 1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    # Everyone bought on the same day: recency ties too, every cut is 28 days, and everyone has R = 5.
    assert [got[p.id].r_score for p in people] == [5] * 12
    assert {got[p.id].recency_days for p in people} == {28}


def test_without_ties_the_scores_are_ntile():
    world = world_in(SH)
    people = [member(world) for _ in range(12)]
    for k, who in enumerate(people):
        for j in range(k + 1):
            bought(who, at(SH, "2026-02-27") - timedelta(days=k, minutes=j), 100_000 - 5_000 * k if j == 0 else 1)
    got = scores(run_on(world, D))
    # NTILE(5) over 12 distinct values: buckets of 3, 3, 2, 2, 2.
    assert [got[p.id].f_score for p in people] == [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [got[p.id].m_score for p in people] == [5, 5, 4, 4, 3, 3, 2, 2, 2, 1, 1, 1]
    assert [got[p.id].r_score for p in people] == [5, 5, 5, 4, 4, 4, 3, 3, 2, 2, 1, 1]


def test_the_same_statistics_score_the_same_whatever_order_they_were_written_in():
    rng = random.Random(6)
    world = world_in(SH)
    people = [member(world) for _ in range(40)]
    plan = [(who, rng.randrange(1, 4), rng.choice([5_000, 10_000, 20_000]), rng.randrange(1, 90)) for who in people]
    rng.shuffle(plan)  # rows updated in another order than the members' ids: a different physical order
    for who, count, value, days_ago in plan:
        for k in range(count):
            bought(who, at(SH, "2026-03-01") - timedelta(days=days_ago + 3 * k), value)
    first, second = run_on(world, D), run_on(world, "2026-03-02")
    one, two = scores(first), scores(second)
    assert {m: (s.r_score, s.f_score, s.m_score) for m, s in one.items()} == {
        m: (s.r_score, s.f_score, s.m_score) for m, s in two.items()
    }
    assert all(two[m].recency_days == s.recency_days + 1 for m, s in one.items())


def test_recency_counts_local_days_to_the_reference_date_in_seoul():
    world = world_in(SEOUL)
    late, morning, two_days, after_midnight = (member(world) for _ in range(4))
    bought(late, at(SEOUL, "2026-02-28", "23:59:59"))
    bought(morning, at(SEOUL, "2026-02-28", "08:30"))  # still 27 February in UTC
    bought(two_days, at(SEOUL, "2026-02-27", "23:59"))
    bought(after_midnight, at(SEOUL, "2026-03-01", "00:10"))  # before the run at 00:30: zero days
    got = scores(run_on(world, D))
    assert [got[m.id].recency_days for m in (late, morning, two_days, after_midnight)] == [1, 1, 2, 0]


def test_a_purchase_at_23_59_on_the_last_day_of_a_month_in_shanghai_is_one_day_before_the_first():
    world = world_in(SH)
    last_minute, first_minute = member(world), member(world)
    bought(last_minute, at(SH, "2026-01-31", "23:59"))
    bought(first_minute, at(SH, "2026-01-31", "00:00"))
    got = scores(run_on(world, "2026-02-01"))
    assert (got[last_minute.id].recency_days, got[first_minute.id].recency_days) == (1, 1)


def test_the_default_reference_date_is_the_programme_local_day_after_now():
    world = world_in(SEOUL)
    bought(member(world), at(SEOUL, "2026-02-20"))
    run = rfm_run_create(program=world.program, now=at(SEOUL, "2026-03-01", "00:30"))  # 28 February in UTC
    assert (run.reference_date, run.timezone, run.currency) == (date(2026, 3, 2), SEOUL, "KRW")


def test_returns_are_netted_and_a_member_who_returned_everything_stays_scored():
    world = world_in(SH)
    kept_some, returned_all, only_returned = member(world), member(world), member(world)
    bought(kept_some, at(SH, "2026-02-10"), 10_000)
    returned(kept_some, at(SH, "2026-02-11"), 4_000)
    bought(returned_all, at(SH, "2026-02-20"), 5_000)
    returned(returned_all, at(SH, "2026-02-21"), 5_000)
    returned(only_returned, at(SH, "2026-02-21"), 3_000)  # nothing bought: not in the scored population
    got = scores(run_on(world, D))
    assert set(got) == {kept_some.id, returned_all.id}
    assert (got[kept_some.id].monetary_minor, got[kept_some.id].frequency) == (6_000, 1)
    assert (got[returned_all.id].monetary_minor, got[returned_all.id].frequency) == (0, 1)
    assert got[returned_all.id].working_group == WorkingGroup.POOR_OR_LAPSED
    assert got[returned_all.id].recency_days == 9  # the purchase, not the return, is the last visit


def test_closed_members_and_members_without_purchases_are_not_scored():
    world = world_in(SH)
    buyer, closed, browser = member(world), member(world), member(world)
    bought(buyer, at(SH, "2026-02-10"))
    bought(closed, at(SH, "2026-02-10"))
    closed.status = "closed"
    closed.save(update_fields=["status"])
    run = run_on(world, D)
    assert set(scores(run)) == {buyer.id}
    assert run.members_scored == 1
    assert rfm_member_latest(member=browser) is None


def test_a_second_call_for_the_same_reference_date_returns_the_first_run_unchanged():
    world = world_in(SH)
    who = member(world)
    bought(who, at(SH, "2026-02-10"))
    first = run_on(world, D)
    bought(who, at(SH, "2026-03-01", "00:40"))
    bought(member(world), at(SH, "2026-03-01", "00:41"))
    again = rfm_run_create(program=world.program, reference_date=date(2026, 3, 1), now=at(SH, D, "09:00"))
    assert again.id == first.id
    assert RfmRun.objects.filter(program=world.program).count() == 1
    assert [(c.members, c.frequency_max) for c in RfmCell.objects.filter(run=first)] == [(1, 1)]
    assert first.members_scored == 1


def test_a_reference_date_before_today_is_refused_unless_its_run_exists():
    world = world_in(SEOUL)
    bought(member(world), at(SEOUL, "2026-02-10"))
    made = run_on(world, "2026-02-28")
    with pytest.raises(ReferenceDatePassed) as refused:
        rfm_run_create(program=world.program, reference_date=date(2026, 2, 27), now=at(SEOUL, D, "00:30"))
    assert refused.value.details == {"reference_date": "2026-02-27", "today": "2026-03-01"}
    assert rfm_run_create(program=world.program, reference_date=date(2026, 2, 28), now=at(SEOUL, D)).id == made.id


def test_counts_come_from_the_cells_and_agree_with_the_scores():
    rng = random.Random(3)
    world = world_in(SH)
    for _ in range(60):
        who = member(world)
        for _k in range(rng.randrange(1, 6)):
            bought(who, at(SH, "2026-02-28") - timedelta(days=rng.randrange(200)), rng.randrange(100, 50_000))
        if rng.random() < 0.1:
            returned(who, at(SH, "2026-02-28"), 60_000)
    run = run_on(world, D)
    rows = list(rfm_scores(run=run))
    assert RfmCell.objects.filter(run=run).count() == len({(s.r_score, s.f_score, s.m_score, s.working_group,
                                                             s.stage) for s in rows})  # fmt: skip
    segments = {c.code: c.members for c in rfm_segment_counts(run=run)}
    assert sum(segments.values()) == 60
    for s in rows:
        assert s.segment == segment_of(s.r_score, s.f_score)
        assert s.working_group == group_of(s.r_score, s.f_score, s.m_score, monetary_minor=s.monetary_minor)
    assert segments["champions"] == sum(1 for s in rows if s.r_score == 5 and s.f_score >= 4)
    groups = {c.code: c.members for c in rfm_group_counts(run=run)}
    assert list(groups) == ["high_value", "grow_basket", "grow_frequency", "poor_or_lapsed", "none"]
    assert groups["poor_or_lapsed"] == sum(1 for s in rows if s.working_group == WorkingGroup.POOR_OR_LAPSED)
    grid = rfm_grid(run=run)
    assert [[sum(1 for s in rows if (s.r_score, s.f_score) == (r, f)) for f in SCORES] for r in SCORES] == grid
    assert [len(run.quintile_edges[k]) for k in ("recency_days", "frequency", "monetary_minor")] == [5, 5, 5]
    low, high = run.quintile_edges["monetary_minor"][4]
    assert (low, high) == (min(s.monetary_minor for s in rows if s.m_score == 5), max(s.monetary_minor for s in rows))


def test_the_sql_segment_and_group_expressions_agree_with_the_rules_in_every_cell():
    cells = list(itertools.product(SCORES, SCORES, SCORES, (-1, 0, 1)))
    values = ", ".join(f"({r}, {f}, {m}, {net})" for r, f, m, net in cells)
    got = sql_rows(
        f"WITH t (r, f, m, net) AS (VALUES {values}) SELECT r, f, m, net, {segment_sql('r', 'f')},"
        f" {group_sql('r', 'f', 'm', 'net')} FROM t ORDER BY r, f, m, net"
    )
    assert [tuple(row) for row in got] == [
        (r, f, m, net, segment_of(r, f), group_of(r, f, m, monetary_minor=net)) for r, f, m, net in sorted(cells)
    ]


def test_the_run_the_sql_and_the_one_member_reading_agree_on_every_member():
    rng = random.Random(11)
    world = world_in(SEOUL)
    people = [member(world) for _ in range(80)]
    for who in people:
        days = sorted(rng.sample(range(400), rng.choice([1, 1, 2, 3, 6])), reverse=True)
        for day in days:
            bought(who, at(SEOUL, "2026-02-28", rng.choice(["00:05", "12:00", "23:55"])) - timedelta(days=day),
                   rng.choice([500, 5_000, 5_000, 40_000]))  # fmt: skip
        if rng.random() < 0.1:
            returned(who, at(SEOUL, "2026-02-28"), 50_000)
    run = run_on(world, D)
    fields = ("recency_days", "frequency", "monetary_minor", "r_score", "f_score", "m_score", "segment",
              "working_group", "stage")  # fmt: skip
    by_sql = {s.member_id: tuple(getattr(s, f) for f in fields) for s in rfm_scores(run=run)}
    one_by_one = {p.id: tuple(getattr(rfm_member_latest(member=p), f) for f in fields) for p in people}
    assert by_sql == one_by_one
    cells = {}
    for values in by_sql.values():
        key = values[3:6] + values[7:]
        cells[key] = cells.get(key, 0) + 1
    assert {(c.r_score, c.f_score, c.m_score, c.working_group, c.stage): c.members
            for c in RfmCell.objects.filter(run=run)} == cells  # fmt: skip
    assert {s for *_, s in by_sql.values()} >= {1, 2, 3, 4}
    champions = set(rfm_member_ids(run=run, r_score__gte=4, f_score__gte=4))
    assert champions == {m for m, v in by_sql.items() if v[3] >= 4 and v[4] >= 4}
    assert set(rfm_member_ids(run=run, stage__in=[3, 4], recency_days__gt=100)) == {
        m for m, v in by_sql.items() if v[8] in (3, 4) and v[0] > 100
    }


def test_a_run_reads_the_statistics_once_and_writes_no_row_per_member():
    world = world_in(SH)
    for _ in range(5):
        bought(member(world), at(SH, "2026-02-10"))
    statements = []

    def watch(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        run = run_on(world, "2026-03-02")
    # On PostgreSQL the one read is a COPY on the driver's cursor, which Django's wrapper does not see.
    assert len([s for s in statements if rfm_sql.STATS in s]) == (0 if connection.vendor == "postgresql" else 1)
    assert [s.split()[2] for s in statements if s.startswith("INSERT")] == ['"analytics_rfmrun"', '"analytics_rfmcell"']
    assert run.members_scored == 5


def test_a_members_scores_follow_their_statistics_while_the_runs_counts_stay():
    world = world_in(SH)
    regular, newcomer, closed = member(world), member(world), member(world)
    for days in (40, 20, 10):
        bought(regular, at(SH, "2026-03-01") - timedelta(days=days))
    bought(closed, at(SH, "2026-02-01"))
    run = run_on(world, D)
    before = rfm_member_latest(member=regular)
    assert (before.run_id, before.recency_days, before.frequency) == (run.id, 10, 3)
    bought(regular, at(SH, "2026-03-01", "15:00"))  # after the run, on its reference date
    bought(newcomer, at(SH, "2026-03-02"))  # after the reference date
    closed.status = "closed"
    closed.save(update_fields=["status"])
    after, first = rfm_member_latest(member=regular), rfm_member_latest(member=newcomer)
    assert (after.recency_days, after.frequency, after.r_score) == (0, 4, 5)
    assert (first.recency_days, first.frequency, first.stage) == (0, 1, 1)
    assert rfm_member_latest(member=closed) is None
    assert closed.id not in set(rfm_member_ids(run=run))
    assert sum(c.members for c in RfmCell.objects.filter(run=run)) == run.members_scored == 2

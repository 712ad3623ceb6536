"""An RFM run in the database: quintiles and their ties, the reference date and time zones, returns, idempotence."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest
from django.db import connection

from tessera.analytics import rfm_sql
from tessera.analytics.errors import ReferenceDatePassed
from tessera.analytics.models import RfmCell, RfmRun, RfmScore
from tessera.analytics.rules import (
    SCORES,
    Stage,
    Thresholds,
    WorkingGroup,
    group_of,
    group_sql,
    segment_of,
    segment_sql,
    stage_of,
)
from tessera.analytics.selectors import rfm_grid, rfm_group_counts, rfm_member_latest, rfm_segment_counts
from tessera.analytics.services import rfm_run_create
from tessera.analytics.tests.factories import SEOUL, SH, at, bought, member, returned, run_on, scores, world_in
from tessera.kit.db import sql_rows

pytestmark = pytest.mark.django_db

D = "2026-03-01"


def test_ties_in_frequency_are_split_by_member_id_into_ntile_buckets():
    world = world_in(SH)
    counts = [1, 1, 1, 1, 1, 1, 2, 2, 3, 5, 8, 13]
    people = [member(world) for _ in counts]
    for who, count in zip(people, counts, strict=True):
        for k in range(count):
            bought(who, at(SH, "2026-02-01") + timedelta(minutes=k))
    got = scores(run_on(world, D))
    # 12 members: NTILE(5) buckets of 3, 3, 2, 2, 2 over (purchases, member id). The six one-time buyers span
    # F = 1 and 2, the lower ids first.
    assert [got[p.id].f_score for p in people] == [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5]
    # Everyone bought on the same day: recency ties too, and R is split the same way, the lower ids more recent.
    assert [got[p.id].r_score for p in people] == [5, 5, 5, 4, 4, 4, 3, 3, 2, 2, 1, 1]
    assert {got[p.id].recency_days for p in people} == {28}


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
    assert RfmScore.objects.filter(run=first).count() == 1
    assert scores(first)[who.id].frequency == 1


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
    rows = list(RfmScore.objects.filter(run=run))
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
    assert rfm_member_latest(member=rows[0].member) == rows[0]


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


def test_the_sql_stage_expression_agrees_with_the_rules():
    t = Thresholds(typical_days=20, at_risk_days=60, lapsed_days=120, source="learned", repeat_buyers=100)
    previous = [None, *((stage, freq) for stage in Stage for freq in (2, 3))]
    cases = list(itertools.product((0, 20, 21, 60, 61, 120, 121), (1, 3), previous))
    values = ", ".join(
        f"({k}, {recency}, {frequency}, {p[0].value if p else 'NULL'}, {p[1] if p else 'NULL'})"
        for k, (recency, frequency, p) in enumerate(cases)
    )
    stage = rfm_sql._stage(t, with_previous=True)
    sql = (
        f"WITH t (k, recency_days, frequency, prev_stage, prev_frequency) AS (VALUES {values})"
        f" SELECT q.k, {stage.text} FROM t AS q LEFT JOIN (SELECT k, prev_stage AS stage, prev_frequency AS frequency"
        " FROM t WHERE prev_stage IS NOT NULL) AS p ON p.k = q.k ORDER BY q.k"
    )
    got = [row[1] for row in sql_rows(sql, stage.params)]
    expected = [
        stage_of(
            recency_days=recency,
            frequency=frequency,
            thresholds=t,
            previous_stage=p[0] if p else None,
            previous_frequency=p[1] if p else None,
        )
        for recency, frequency, p in cases
    ]
    assert got == expected


def test_the_scores_insert_is_one_statement():
    world = world_in(SH)
    for _ in range(5):
        bought(member(world), at(SH, "2026-02-10"))
    with_previous = run_on(world, D)
    statements = []

    def watch(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        run_on(world, "2026-03-02")
    inserts = [s for s in statements if s.startswith(f"INSERT INTO {rfm_sql.SCORES}")]
    assert len(inserts) == 1
    assert "LEFT JOIN" in inserts[0]
    assert RfmRun.objects.get(reference_date="2026-03-02").previous == with_previous

"""The evaluation job: the same decisions as the per-member rules, set-based, idempotent and resumable."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from tessera.blueprints.seeds import diamonds_ladder
from tessera.messaging.jobs import job_get, job_run
from tessera.messaging.models import JobRun
from tessera.tiers.models import MemberTier, TierEvent
from tessera.tiers.rules.state import TierState, state_catch_up
from tessera.tiers.rules.windows import member_anchor, window_containing
from tessera.tiers.selectors import ladder_view_get, state_of
from tessera.tiers.services import evaluation, tier_evaluation_run
from tessera.tiers.tests.factories import at, code, evaluate, history, member_carded, place, record, world_in

SH, SEOUL = "Asia/Shanghai", "Asia/Seoul"
T0 = datetime(2020, 1, 1, tzinfo=UTC)


def monthly_ladder(**changes):
    """Spend in a calendar month: 3,000 yuan makes silver, 6,000 gold, 9,000 black."""
    return {
        "name": "Monthly spend", "measure": "spend_in_window", "window": "calendar_month",
        "tiers": [{"code": "base"}, {"code": "silver", "threshold": 300_000},
                  {"code": "gold", "threshold": 600_000}, {"code": "black", "threshold": 900_000}],
        **changes,
    }  # fmt: skip


LADDERS = {
    "anniversary, reevaluate": {**diamonds_ladder()},
    "anniversary, one down, 30 days' grace": {**diamonds_ladder(), "downgrade": "one_down", "grace_days": 30},
    "calendar month, reevaluate, 10 days' grace": monthly_ladder(grace_days=10),
    "rolling 3 months, one down": monthly_ladder(window="rolling_months", window_months=3, downgrade="one_down"),
    "points and purchases, either": {
        **diamonds_ladder(), "second_measure": "purchase_count", "combine": "or",
        "tiers": [{**t, "second_threshold": [0, 5, 10, 15, 25][i]} for i, t in enumerate(diamonds_ladder()["tiers"])],
    },
}  # fmt: skip


def random_places(world, rng: random.Random, count: int, today: date) -> None:
    """Members in every situation: windows ended long ago or not at all, counters around each threshold, grace."""
    view = ladder_view_get(program_id=world.program.id)
    rule = view.rule
    for _ in range(count):
        member = member_carded(world, at(SH, date(2019, 1, 1) + timedelta(days=rng.randrange(1500))))
        anchor = member_anchor(rule.window, member.enrolled_at.date())
        start, end = window_containing(rule.window, rule.window_months, anchor, today - timedelta(rng.randrange(900)))
        rank = rng.randrange(rule.top_rank + 1)
        near = rng.choice(rule.thresholds).value
        pending = rng.randrange(rank) if rule.grace_days and rank and rng.random() < 0.4 else None
        MemberTier.objects.create(
            member=member, ladder_id=view.ladder_id, tier_id=view.tier_of(rank), since=T0, anchor_on=anchor,
            window_start=start, window_end=end, points=near + rng.choice([-1, 0, 1, 5_000]),
            spend_minor=near + rng.choice([-1, 0, 1]), purchase_count=rng.randrange(30), lifetime_spend_minor=777,
            pending_tier_id=view.tier_of(pending), pending_on=start + timedelta(rule.grace_days) if pending is not None
            else None, created_at=T0, updated_at=T0,
        )  # fmt: skip


def expected_after(world, today: date) -> dict[int, tuple[TierState, list[tuple]]]:
    view = ladder_view_get(program_id=world.program.id)
    result = {}
    for row in MemberTier.objects.filter(ladder_id=view.ladder_id):
        state, changes = state_catch_up(view.rule, state_of(row, view), anchor=row.anchor_on, through=today,
                                        timezone=view.timezone)  # fmt: skip
        events = [(view.tier_of(c.from_rank), view.tier_of(c.to_rank), c.reason, c.value, c.second_value, c.at)
                  for c in changes]  # fmt: skip
        result[row.member_id] = (state, events)
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("spec", LADDERS.values(), ids=LADDERS.keys())
def test_the_job_decides_exactly_as_the_rules_do_for_one_member(spec):
    world = world_in(SH, spec=spec)
    today = date(2026, 3, 15)
    random_places(world, random.Random(20260315), 24, today)
    expected = expected_after(world, today)

    summary = evaluate(world, today.isoformat(), batch_size=5)

    view = ladder_view_get(program_id=world.program.id)
    for row in MemberTier.objects.filter(ladder_id=view.ladder_id):
        state, events = expected[row.member_id]
        assert state_of(row, view) == state, row.member_id
        got = [(e.from_tier_id, e.to_tier_id, e.reason, e.value, e.second_value, e.event_at)
               for e in TierEvent.objects.filter(member_id=row.member_id).order_by("id")]  # fmt: skip
        assert got == events, row.member_id
    assert summary["tier_changes"] + summary["grace_ended"] == TierEvent.objects.count()
    assert evaluate(world, today.isoformat())["batches"] == 0  # and a second run finds nothing left


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_run_keeps_its_committed_batches_and_a_rerun_finishes_the_rest(monkeypatch):
    world = world_in(SH, spec=diamonds_ladder())
    members = [member_carded(world, at(SH, "2025-01-10")) for _ in range(7)]
    for points, member in zip([0, 10_000, 20_000, 30_000, 50_000, 9_999, 12_000], members, strict=True):
        record(member, at(SH, "2025-06-01"), points=points)
    # Each member's year ends at the same midnight; batches of 3 take them in id order.
    real = evaluation._windows_batch
    calls = []

    def crash_on_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluation, "_windows_batch", crash_on_the_second_batch)
    with pytest.raises(RuntimeError, match="worker killed"):
        evaluate(world, "2026-01-10", batch_size=3)
    rolled = [place(m).window_start == date(2026, 1, 10) for m in members]
    assert rolled == [True, True, True, False, False, False, False]  # the first batch committed, no more

    monkeypatch.setattr(evaluation, "_windows_batch", real)
    summary = evaluate(world, "2026-01-10", batch_size=3)
    assert (summary["windows_closed"], summary["batches"]) == (4, 2)
    assert [code(m) for m in members] == ["card", "red", "yellow", "blue", "purple", "card", "red"]
    assert all(place(m).points == 0 for m in members)
    # Every change recorded exactly once: the upgrades during the year, and none at the anniversary (each
    # member's year reached the tier they held).
    assert [len(history(m)) for m in members] == [1, 2, 2, 2, 2, 1, 2]


@pytest.mark.django_db
def test_a_grace_period_keeps_the_tier_until_it_ends_unless_the_member_requalifies():
    world = world_in(SEOUL, spec=monthly_ladder(grace_days=10))
    stays, drops = member_carded(world, at(SEOUL, "2025-01-05")), member_carded(world, at(SEOUL, "2025-01-05"))
    for member in (stays, drops):
        record(member, at(SEOUL, "2025-01-31", "23:59:59"), spend_minor=650_000)  # gold in January
    evaluate(world, "2025-02-01")  # January's 6,500 yuan keep gold for February
    evaluate(world, "2025-03-01")  # nothing in February: both are due to drop to base on 11 March
    assert [(code(m), place(m).pending_tier.code, place(m).pending_on) for m in (stays, drops)] == [
        ("gold", "base", date(2025, 3, 11)), ("gold", "base", date(2025, 3, 11)),
    ]  # fmt: skip
    record(stays, at(SEOUL, "2025-03-10", "20:00"), spend_minor=600_000)  # gold again within the grace period
    assert (code(stays), place(stays).pending_tier) == ("gold", None)

    summary = evaluate(world, "2025-03-11")
    assert (summary["grace_ended"], code(stays), code(drops)) == (1, "gold", "base")
    assert history(drops)[-1] == ("gold", "base", "grace_ended", 0)
    assert place(drops).since == at(SEOUL, "2025-03-11", "00:00")


@pytest.mark.django_db
@pytest.mark.parametrize("timezone", [SH, SEOUL])
def test_month_boundaries_follow_the_programme_time_zone(timezone):
    world = world_in(timezone, spec=monthly_ladder())
    member = member_carded(world, at(timezone, "2025-01-05"))
    record(member, at(timezone, "2025-01-31", "23:59:59"), spend_minor=350_000)  # silver in January
    record(member, at(timezone, "2025-02-01", "00:00:00"), spend_minor=100_000)  # the first instant of February
    row = place(member)
    assert (row.tier.code, row.spend_minor, row.window_start) == ("silver", 100_000, date(2025, 2, 1))
    # The February sale closed January itself (the job had not run): 350,000 keeps silver for February.
    assert evaluate(world, "2025-02-01")["windows_closed"] == 0
    evaluate(world, "2025-03-01")  # 1,000 yuan in February: base for March
    assert (code(member), place(member).window_end) == ("base", date(2025, 4, 1))


@pytest.mark.django_db
def test_a_member_several_windows_behind_is_brought_up_to_date_window_by_window():
    world = world_in(SH, spec=monthly_ladder(downgrade="one_down"))
    member = member_carded(world, at(SH, "2025-01-05"))
    record(member, at(SH, "2025-01-20"), spend_minor=950_000)  # black
    summary = evaluate(world, "2025-05-01", batch_size=1)  # the job missed February to April
    assert (code(member), place(member).window_start) == ("base", date(2025, 5, 1))
    assert [h[:3] for h in history(member)[2:]] == [
        ("black", "gold", "one_down"), ("gold", "silver", "one_down"), ("silver", "base", "one_down"),
    ]  # fmt: skip
    assert summary["windows_closed"] == 4  # January, February, March, April


@pytest.mark.django_db
def test_members_without_a_place_and_lifetime_windows_are_left_alone():
    world = world_in(SH, spec={**monthly_ladder(), "window": "lifetime"})
    member = member_carded(world, at(SH, "2025-01-05"))
    record(member, at(SH, "2025-01-20"), spend_minor=950_000)
    member_carded(world, at(SH, "2025-01-05"))  # never bought anything: no row
    assert evaluate(world, "2035-01-01")["batches"] == 0
    assert (code(member), place(member).window_end, place(member).spend_minor) == ("black", None, 950_000)
    assert evaluate(world_in(SH), "2035-01-01")["ladder_id"] is None  # a programme without a ladder


@pytest.mark.django_db
def test_the_worker_runs_the_evaluation_once_per_programme_and_local_day():
    assert job_get("tiers.evaluation").fn is tier_evaluation_run
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2025-01-10"))
    record(member, at(SH, "2025-06-01"), points=12_000)
    run = job_run(name="tiers.evaluation", program_id=world.program.id, local_date=date(2026, 1, 10))
    assert (run.status, run.summary["windows_closed"]) == (JobRun.Status.DONE, 1)
    assert place(member).window_start == date(2026, 1, 10)

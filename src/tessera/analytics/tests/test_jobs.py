"""The nightly programme job and ``tessera analytics rfm``."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from tessera.analytics.jobs import rfm_nightly
from tessera.analytics.models import RfmRun
from tessera.analytics.tests.factories import SEOUL, at, bought, member, run_on, world_in
from tessera.messaging.jobs import job_get, job_run, jobs_due
from tessera.messaging.models import JobRun

pytestmark = pytest.mark.django_db


def test_the_worker_scores_each_programme_once_a_local_day_after_half_past_midnight():
    assert job_get("analytics.rfm").fn is rfm_nightly
    world = world_in(SEOUL)
    bought(member(world), at(SEOUL, "2026-02-20"))
    with time_machine.travel(at(SEOUL, "2026-03-01", "00:29"), tick=False):
        assert not [d for d in jobs_due(now=at(SEOUL, "2026-03-01", "00:29")) if d.job == "analytics.rfm"
                    and d.local_date == date(2026, 3, 1)]  # fmt: skip
    with time_machine.travel(at(SEOUL, "2026-03-01", "00:31"), tick=False):
        run = job_run(name="analytics.rfm", program_id=world.program.id, local_date=date(2026, 3, 1))
    assert run.status == JobRun.Status.DONE
    made = RfmRun.objects.get(program=world.program)
    assert run.summary == {"run": made.id, "reference_date": "2026-03-01", "members_scored": 1}
    assert made.created_at == at(SEOUL, "2026-03-01", "00:31")


def test_a_day_the_worker_reaches_late_is_skipped_and_a_rerun_changes_nothing():
    world = world_in(SEOUL)
    bought(member(world), at(SEOUL, "2026-02-20"))
    with time_machine.travel(at(SEOUL, "2026-03-03", "08:00"), tick=False):
        late = rfm_nightly(program_id=world.program.id, local_date=date(2026, 3, 2))
        today = rfm_nightly(program_id=world.program.id, local_date=date(2026, 3, 3))
        again = rfm_nightly(program_id=world.program.id, local_date=date(2026, 3, 3))
    assert "skipped" in late
    assert today == again
    assert RfmRun.objects.filter(program=world.program).count() == 1


def test_each_run_follows_the_one_before_and_no_pruning_job_is_left():
    world = world_in(SEOUL)
    bought(member(world), at(SEOUL, "2026-02-20"))
    runs = [run_on(world, f"2026-03-0{day}") for day in range(1, 4)]
    assert [r.previous_id for r in runs] == [None, runs[0].id, runs[1].id]
    assert job_get("analytics.rfm_prune") is None


def test_the_command_scores_a_programme_and_prints_its_counts():
    world = world_in(SEOUL)
    for day in ("2026-02-20", "2025-05-01"):
        bought(member(world), at(SEOUL, day), 12_000)
    out = io.StringIO()
    with time_machine.travel(at(SEOUL, "2026-03-01", "09:00"), tick=False):
        call_command("analytics", "rfm", "--program", world.program.public_id, stdout=out)
        call_command("analytics", "rfm", "--program", world.program.public_id, stdout=out)  # the same run
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"rfm {world.program.public_id} reference 2026-03-02 (Asia/Seoul, KRW) members 2")
    assert lines[1] == "thresholds default from 0 repeat buyers: new within 30 days, at risk after 90, lapsed after 180"
    assert "champions\t0\t0" in lines
    assert "stage\tmembers\tnet_spend_minor" in lines
    assert "new\t1\t12000" in lines
    assert "lapsed\t1\t12000" in lines
    assert lines[: len(lines) // 2] == lines[len(lines) // 2 :]
    assert RfmRun.objects.count() == 1


def test_the_command_refuses_a_past_date_and_an_unknown_programme():
    world = world_in(SEOUL)
    with time_machine.travel(at(SEOUL, "2026-03-01", "09:00"), tick=False):
        with pytest.raises(CommandError, match="can no longer be computed"):
            call_command("analytics", "rfm", "--program", world.program.public_id, "--date", "2026-02-27")
        with pytest.raises(CommandError, match="no programme"):
            call_command("analytics", "rfm", "--program", "prg_nope")

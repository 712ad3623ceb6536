"""The nightly lapse job: set-based, idempotent, and resumable after a crash part-way."""

from __future__ import annotations

from datetime import date

import pytest

from tessera.messaging.jobs import job_run
from tessera.rewards.jobs import LAPSE_JOB
from tessera.rewards.models import RewardGrant
from tessera.rewards.services import lapse, reward_claim, rewards_lapse_run
from tessera.rewards.tests.factories import local, record, seed_ladder
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db

SH = "Asia/Shanghai"


@pytest.fixture
def world():
    world = world_build(timezone=SH)
    seed_ladder(world.program)
    return world


def five_march_gifts(world):
    """Five members each unlock March's 50 yuan gift, claimable until 1 May 00:00 Shanghai time."""
    return [record(member_new(world), 1000, local(SH, 2026, 3, 10, 12, i))[0] for i in range(5)]


def states(program):
    return sorted(RewardGrant.objects.filter(program=program).values_list("state", flat=True))


def test_running_twice_loses_nothing_twice(world):
    five_march_gifts(world)
    first = rewards_lapse_run(program_id=world.program.id, local_date=date(2026, 5, 1))
    assert (first["lost"], first["cutoff"]) == (5, "2026-05-01T00:00:00+08:00")
    assert rewards_lapse_run(program_id=world.program.id, local_date=date(2026, 5, 1))["lost"] == 0
    assert rewards_lapse_run(program_id=world.program.id, local_date=date(2026, 5, 2))["lost"] == 0


def test_an_interrupted_run_resumes_where_it_stopped(world, monkeypatch):
    gifts = five_march_gifts(world)
    real_batch, calls = lapse._lapse_batch, []

    def crash_on_the_second_batch(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_batch(**kwargs)

    monkeypatch.setattr(lapse, "_lapse_batch", crash_on_the_second_batch)
    with pytest.raises(RuntimeError, match="worker killed"):
        rewards_lapse_run(program_id=world.program.id, local_date=date(2026, 5, 1), batch_size=2)
    assert states(world.program) == ["lost", "lost", "unlocked", "unlocked", "unlocked"]  # the first batch stays

    monkeypatch.setattr(lapse, "_lapse_batch", real_batch)
    resumed = rewards_lapse_run(program_id=world.program.id, local_date=date(2026, 5, 1), batch_size=2)
    assert (resumed["lost"], resumed["batches"]) == (3, 2)
    assert states(world.program) == ["lost"] * 5
    # The time of loss is when each window closed, whichever run marked it.
    assert {g.lost_at for g in RewardGrant.objects.filter(id__in=[g.id for g in gifts])} == {
        local(SH, 2026, 5, 1, 0, 0)
    }


def test_claimed_revoked_and_other_programmes_gifts_are_left_alone(world):
    claimed, revoked, _open = five_march_gifts(world)[:3]
    reward_claim(grant=claimed, actor=world.a.actor, now=local(SH, 2026, 3, 11, 9, 0))
    record(revoked.member, -1, local(SH, 2026, 3, 10, 12, 1))
    other = world_build(name="Other", timezone=SH)
    seed_ladder(other.program)
    record(member_new(other), 1000, local(SH, 2026, 3, 10, 12, 0))

    assert rewards_lapse_run(program_id=world.program.id, local_date=date(2026, 5, 1))["lost"] == 3
    assert states(world.program) == ["claimed", "lost", "lost", "lost", "revoked"]
    assert states(other.program) == ["unlocked"]


def test_the_worker_runs_the_lapse_as_a_registered_programme_job(world):
    five_march_gifts(world)
    run = job_run(name=LAPSE_JOB, program_id=world.program.id, local_date=date(2026, 5, 1))
    assert (run.status, run.summary["lost"]) == ("done", 5)

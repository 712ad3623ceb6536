"""The huey instance: immediate in tests, SQLite beside the database by default, Redis when a URL is set."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
import time_machine
from huey import RedisHuey, SqliteHuey

from tessera.messaging import tasks
from tessera.messaging.jobs import register_job
from tessera.messaging.queue import huey, huey_build
from tessera.messaging.tests.conftest import program_in
from tessera.testing import redis_test_url


def test_tests_run_the_queue_in_immediate_mode_with_no_queue_file():
    assert huey.immediate is True
    assert type(huey.storage).__name__ == "MemoryStorage"


def test_the_three_periodic_tasks_are_declared_on_the_one_instance():
    names = sorted(task.name for task in huey._registry.periodic_tasks)
    assert names == ["messaging.jobs_due", "messaging.outbox_prune", "messaging.outbox_relay"]


@pytest.mark.django_db
def test_calling_the_jobs_tick_in_immediate_mode_runs_the_due_jobs_at_once(recorder):
    register_job("test.job", recorder)
    seoul = program_in("Asia/Seoul")
    with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=UTC), tick=False):  # 09:30 in Seoul
        tasks.jobs_due_tick()
    assert recorder.dates(seoul) == [date(2027, 1, 1)]


def test_sqlite_storage_lives_beside_the_database_and_round_trips_a_task(settings, tmp_path, monkeypatch):
    for name in ("HUEY_REDIS_URL", "REDIS_URL", "HUEY_SQLITE_PATH"):
        monkeypatch.delenv(name, raising=False)
    settings.WORK_DIR = tmp_path
    queue = huey_build(immediate=False)
    assert isinstance(queue, SqliteHuey)
    assert queue.storage.filename == str(tmp_path / "tessera-huey.sqlite3")
    add = queue.task(name="test.add")(lambda a, b: a + b)
    add(2, 3)
    assert queue.pending_count() == 1
    assert queue.execute(queue.dequeue()) == 5
    assert queue.pending_count() == 0


def test_a_redis_url_selects_redis_and_huey_redis_url_wins_over_redis_url(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    assert isinstance(huey_build(immediate=False), RedisHuey)
    monkeypatch.setenv("HUEY_REDIS_URL", "redis://queue.internal:6380/3")
    kwargs = huey_build(immediate=False).storage.pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("queue.internal", 6380, 3)


@pytest.fixture
def redis_queue(monkeypatch):
    monkeypatch.setenv("HUEY_REDIS_URL", redis_test_url())
    monkeypatch.setenv("HUEY_NAME", f"tessera-test-{uuid.uuid4().hex[:8]}")  # never another run's queue
    queue = huey_build(immediate=False)
    yield queue
    queue.storage.flush_all()


def test_redis_storage_round_trips_a_task(redis_queue):
    add = redis_queue.task(name="test.add")(lambda a, b: a + b)
    add(20, 22)
    assert redis_queue.pending_count() == 1
    assert redis_queue.execute(redis_queue.dequeue()) == 42
    assert redis_queue.pending_count() == 0

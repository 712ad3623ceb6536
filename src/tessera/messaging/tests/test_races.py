"""Real races: threads with their own database connections, as two workers would be (both databases).

On PostgreSQL the claims meet on row locks and the unique index; on SQLite on the IMMEDIATE write lock.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.messaging.jobs import jobs_run_due, register_job
from tessera.messaging.models import JobRun, OutboxMessage
from tessera.messaging.relay import outbox_deliver, outbox_drain, register_handler
from tessera.messaging.services import job_run_claim, outbox_enqueue
from tessera.messaging.tests.conftest import program_in

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(count: int, work):
    """Run ``work(i)`` on ``count`` threads released together; each thread closes its own connection."""
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait()
            return work(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


class Counting:
    def __init__(self, pause: float = 0.0) -> None:
        self.calls, self.pause, self.lock = Counter(), pause, threading.Lock()

    def __call__(self, message: OutboxMessage) -> None:
        time.sleep(self.pause)  # long enough for the other worker to try the same row
        with self.lock:
            self.calls[message.id] += 1


def enqueue(count: int) -> list[int]:
    with use_case():
        for i in range(count):
            outbox_enqueue(kind="test.race", payload={"n": i}, now=now())
    return list(OutboxMessage.objects.order_by("id").values_list("id", flat=True))


def test_two_workers_claiming_one_message_deliver_it_once():
    handler = register_handler("test.race", Counting(pause=0.05))
    (message_id,) = enqueue(1)
    outcomes = in_threads(2, lambda _i: outbox_deliver(message_id=message_id))
    assert sorted(outcomes) == ["processed", "skipped"]
    assert handler.calls == {message_id: 1}
    assert OutboxMessage.objects.get().attempts == 1


def test_four_workers_draining_forty_messages_deliver_each_exactly_once():
    handler = register_handler("test.race", Counting(pause=0.002))
    ids = enqueue(40)
    outcomes = in_threads(4, lambda _i: outbox_drain())
    assert sum(c["processed"] for c in outcomes) == 40
    assert handler.calls == dict.fromkeys(ids, 1)
    assert not OutboxMessage.objects.filter(processed_at__isnull=True).exists()


def test_eight_workers_claiming_one_job_day_insert_one_run():
    program = program_in("Asia/Seoul")
    day = date(2027, 1, 1)
    claims = in_threads(
        8,
        lambda i: job_run_claim(
            program_id=program.id, job="test.job", local_date=day, now=now(), lease=timedelta(hours=1),
            worker=f"w{i}",
        ),
    )  # fmt: skip
    won = [run for run in claims if run is not None]
    assert len(won) == 1
    assert JobRun.objects.filter(program=program, job="test.job", local_date=day).count() == 1


def test_two_schedulers_catching_up_run_every_day_once_and_in_order(recorder):
    shanghai, seoul = program_in("Asia/Shanghai"), program_in("Asia/Seoul")

    def slow_job(*, program_id, local_date):
        time.sleep(0.01)
        return recorder(program_id=program_id, local_date=local_date)

    register_job("test.job", slow_job)
    today = {p.id: now().astimezone(ZoneInfo(p.timezone)).date() for p in (shanghai, seoul)}
    for program in (shanghai, seoul):
        # Last done five days ago: four days and today are owed.
        JobRun.objects.create(
            program=program, job="test.job", local_date=today[program.id] - timedelta(days=5),
            status=JobRun.Status.DONE, started_at=now(), finished_at=now(),
        )  # fmt: skip
    in_threads(2, lambda _i: jobs_run_due())
    for program in (shanghai, seoul):
        expected = [today[program.id] - timedelta(days=n) for n in range(4, -1, -1)]
        assert recorder.dates(program) == expected
        assert JobRun.objects.filter(program=program, status=JobRun.Status.DONE).count() == 6

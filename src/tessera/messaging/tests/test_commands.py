"""The management commands: ``outbox drain|status``, ``jobs run|tick|status`` and ``worker`` (SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.messaging.jobs import register_job
from tessera.messaging.models import JobRun, OutboxMessage
from tessera.messaging.relay import register_handler
from tessera.messaging.services import outbox_enqueue
from tessera.messaging.tests.conftest import program_in


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def enqueue(kind: str) -> None:
    with use_case():
        outbox_enqueue(kind=kind, payload={}, now=now())


@pytest.mark.django_db
class TestOutboxCommand:
    def test_drain_delivers_what_is_due_and_reports_counts(self):
        delivered = []
        register_handler("test.ping", delivered.append)
        enqueue("test.ping")
        enqueue("test.ping")
        assert run("outbox", "drain") == "outbox drain: processed 2, failed 0, dead 0, skipped 0\n"
        assert len(delivered) == 2

    def test_drain_exits_non_zero_when_a_delivery_fails(self):
        def broken(message):
            raise TimeoutError("provider down")

        register_handler("test.ping", broken)
        enqueue("test.ping")
        with pytest.raises(CommandError, match="some deliveries failed") as failure:
            run("outbox", "drain")
        assert failure.value.returncode == 1
        assert "TimeoutError: provider down" in OutboxMessage.objects.get().last_error

    def test_status_counts_per_kind_and_flags_kinds_without_a_handler(self):
        register_handler("test.ping", lambda message: None)
        enqueue("test.ping")
        enqueue("test.orphan")
        lines = run("outbox", "status").splitlines()
        assert lines[1].split()[:6] == ["test.orphan", "1", "0", "0", "0", "NONE"]
        assert lines[2].split() == ["test.ping", "1", "0", "0", "0", "yes"]


@pytest.mark.django_db
class TestJobsCommand:
    @pytest.fixture(autouse=True)
    def _in_2027(self):
        # Runs by hand are refused for days that have not begun; these tests run on 2 January 2027.
        with time_machine.travel(datetime(2027, 1, 2, 12, 0, tzinfo=UTC)):
            yield

    def test_run_one_job_by_hand_for_a_programme_and_date(self, recorder):
        register_job("test.job", recorder)
        seoul = program_in("Asia/Seoul")
        output = run("jobs", "run", "test.job", "--program", seoul.public_id, "--date", "2027-01-01")
        assert output.startswith(f"test.job programme={seoul.id} 2027-01-01 done ")
        assert '"expired_points": 7' in output
        assert recorder.dates(seoul) == [date(2027, 1, 1)]

    def test_a_done_day_needs_force_to_run_again(self, recorder):
        register_job("test.job", recorder)
        seoul = program_in("Asia/Seoul")
        args = ("jobs", "run", "test.job", "--program", seoul.public_id, "--date", "2027-01-01")
        run(*args)
        with pytest.raises(CommandError, match="is done or running elsewhere"):
            run(*args)
        run(*args, "--force")
        assert recorder.dates(seoul) == [date(2027, 1, 1)] * 2

    def test_a_day_that_has_not_begun_in_the_programme_zone_is_refused(self, recorder):
        register_job("test.job", recorder)
        shanghai = program_in("Asia/Shanghai")
        # 15:30 UTC on 31 December: already 1 January in Seoul, not yet in Shanghai.
        with (
            time_machine.travel(datetime(2026, 12, 31, 15, 30, tzinfo=UTC), tick=False),
            pytest.raises(CommandError, match="has not begun in Asia/Shanghai"),
        ):
            run("jobs", "run", "test.job", "--program", shanghai.public_id, "--date", "2027-01-01")
        assert recorder.calls == []

    def test_a_failing_run_by_hand_exits_non_zero_with_the_error(self, recorder):
        register_job("test.job", recorder)
        recorder.fail_on = {date(2027, 1, 1)}
        seoul = program_in("Asia/Seoul")
        with pytest.raises(CommandError, match="disk full on 2027-01-01") as failure:
            run("jobs", "run", "test.job", "--program", seoul.public_id, "--date", "2027-01-01")
        assert failure.value.returncode == 1

    def test_unknown_jobs_and_programmes_are_named_in_the_error(self, recorder):
        register_job("test.job", recorder)
        with pytest.raises(CommandError, match=r"no job named 'nope' \(registered: test.job\)"):
            run("jobs", "run", "nope", "--program", "prg_x", "--date", "2027-01-01")
        with pytest.raises(CommandError, match="no programme 'prg_x'"):
            run("jobs", "run", "test.job", "--program", "prg_x", "--date", "2027-01-01")

    def test_tick_and_status(self, recorder):
        register_job("test.job", recorder)
        seoul = program_in("Asia/Seoul")
        with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=UTC), tick=False):
            assert run("jobs", "tick").endswith("jobs tick: 1 run(s)\n")
        status = run("jobs", "status", "--program", seoul.public_id).splitlines()
        assert status[0].startswith("job test.job at 00:00 local")
        assert status[1].startswith(f"{seoul.public_id} test.job 2027-01-01 done attempts=1 finished=2027-01-01")
        assert JobRun.objects.count() == 1


@pytest.mark.slow
def test_the_worker_stops_cleanly_on_sigterm_while_the_relay_is_running(tmp_path):
    """The relay tick starts with the worker and would watch the outbox for 55 s; SIGTERM ends it at once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUEY_", "REDIS_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="tessera.config.settings", TESSERA_HOME=str(tmp_path))
    worker = subprocess.Popen(
        [sys.executable, "-m", "tessera", "worker"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(worker.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while not any("Executing" in line and "outbox_relay" in line for line in lines):
            assert time.monotonic() < deadline, "the relay tick never started:\n" + "".join(lines)
            time.sleep(0.1)
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0, "".join(lines)
        assert time.monotonic() - started < 10
    finally:
        if worker.poll() is None:
            worker.kill()
    reader.join(timeout=5)
    output = "".join(lines)
    assert "Received SIGTERM" in output
    assert output.rstrip().endswith("worker stopped")
    assert (tmp_path / "tessera-huey.sqlite3").exists()

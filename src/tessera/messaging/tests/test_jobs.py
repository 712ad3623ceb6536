"""Programme jobs: local midnight per time zone, catch-up of missed days, failures, leases and hand runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from tessera.kit.clock import now
from tessera.messaging import conf
from tessera.messaging.jobs import job_run, jobs_due, jobs_run_due, register_job
from tessera.messaging.models import JobRun
from tessera.messaging.services import job_run_claim, job_run_finish
from tessera.messaging.tests.conftest import program_in

pytestmark = pytest.mark.django_db

D = date  # short for the many dates below


def statuses(program) -> dict[date, str]:
    return dict(JobRun.objects.filter(program=program).values_list("local_date", "status"))


class TestLocalMidnight:
    """Seoul is UTC+9 and Shanghai UTC+8: New Year reaches them an hour apart, and UTC eight hours later."""

    def test_each_programme_runs_the_new_day_after_its_own_local_midnight(self, recorder):
        register_job("test.job", recorder)
        shanghai, seoul, utc = program_in("Asia/Shanghai"), program_in("Asia/Seoul"), program_in("UTC")
        with time_machine.travel(datetime(2026, 12, 31, 12, 0, tzinfo=UTC), tick=False) as clock:
            jobs_run_due()  # first tick: each programme runs its current local day, 31 December
            assert [recorder.dates(p) for p in (shanghai, seoul, utc)] == [[D(2026, 12, 31)]] * 3

            clock.move_to(datetime(2026, 12, 31, 15, 0, tzinfo=UTC))  # 00:00 on 1 January in Seoul
            jobs_run_due()
            clock.move_to(datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC))  # 23:59:59 in Shanghai
            jobs_run_due()
            assert recorder.dates(seoul) == [D(2026, 12, 31), D(2027, 1, 1)]
            assert recorder.dates(shanghai) == [D(2026, 12, 31)]

            clock.move_to(datetime(2026, 12, 31, 16, 0, tzinfo=UTC))  # 00:00 on 1 January in Shanghai
            jobs_run_due()
            assert recorder.dates(shanghai) == [D(2026, 12, 31), D(2027, 1, 1)]
            assert recorder.dates(utc) == [D(2026, 12, 31)]

            clock.move_to(datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
            jobs_run_due()
        assert recorder.dates(utc) == [D(2026, 12, 31), D(2027, 1, 1)]
        assert len(recorder.calls) == 6  # every tick in between ran nothing twice

    def test_a_job_registered_for_02_30_waits_for_02_30_local(self, recorder):
        register_job("test.late", recorder, at_local_time=time(2, 30))
        seoul = program_in("Asia/Seoul")
        with time_machine.travel(datetime(2027, 2, 28, 17, 29, tzinfo=UTC), tick=False) as clock:  # 02:29, 1 March
            jobs_run_due()
            assert recorder.dates(seoul) == [D(2027, 2, 28)]
            clock.shift(timedelta(minutes=1))
            jobs_run_due()
        assert recorder.dates(seoul) == [D(2027, 2, 28), D(2027, 3, 1)]


class TestCatchUp:
    def test_a_worker_down_three_days_runs_the_missed_days_oldest_first(self, recorder):
        register_job("test.job", recorder)
        shanghai = program_in("Asia/Shanghai")
        with time_machine.travel(datetime(2027, 2, 28, 16, 5, tzinfo=UTC), tick=False) as clock:  # 1 March, 00:05
            jobs_run_due()
            clock.move_to(datetime(2027, 3, 3, 16, 5, tzinfo=UTC))  # 4 March, 00:05: three midnights later
            runs = jobs_run_due()
        assert recorder.dates(shanghai) == [D(2027, 3, 1), D(2027, 3, 2), D(2027, 3, 3), D(2027, 3, 4)]
        assert [run.local_date for run in runs] == [D(2027, 3, 2), D(2027, 3, 3), D(2027, 3, 4)]
        assert runs[0].summary == {"local_date": "2027-03-02", "expired_points": 7}

    def test_on_one_day_jobs_run_in_registration_order(self, recorder):
        order = []
        register_job("test.expiry", lambda **kw: order.append("expiry") or {})
        register_job("test.tiers", lambda **kw: order.append("tiers") or {})
        program_in("Asia/Seoul")
        jobs_run_due()
        assert order == ["expiry", "tiers"]


class TestFailure:
    def test_a_failed_day_holds_back_later_days_and_succeeds_when_retried(self, recorder):
        register_job("test.job", recorder)
        seoul = program_in("Asia/Seoul")
        recorder.fail_on = {D(2027, 3, 2)}
        with time_machine.travel(datetime(2027, 2, 28, 15, 5, tzinfo=UTC), tick=False) as clock:  # 1 March, 00:05
            jobs_run_due()
            clock.move_to(datetime(2027, 3, 2, 15, 5, tzinfo=UTC))  # 3 March, 00:05
            jobs_run_due()
            assert statuses(seoul) == {D(2027, 3, 1): "done", D(2027, 3, 2): "failed"}
            failed = JobRun.objects.get(program=seoul, local_date=D(2027, 3, 2))
            assert "RuntimeError: disk full on 2027-03-02" in failed.error
            assert failed.finished_at == now()

            clock.shift(timedelta(minutes=5))  # the next tick
            jobs_run_due()
        assert statuses(seoul) == {D(2027, 3, 1): "done", D(2027, 3, 2): "done", D(2027, 3, 3): "done"}
        retried = JobRun.objects.get(program=seoul, local_date=D(2027, 3, 2))
        assert (retried.attempts, retried.error) == (2, "")
        assert recorder.dates(seoul) == [D(2027, 3, 1), D(2027, 3, 2), D(2027, 3, 2), D(2027, 3, 3)]

    def test_a_job_that_returns_no_summary_dict_fails(self):
        register_job("test.bad", lambda **kw: 42)
        seoul = program_in("Asia/Seoul")
        (run,) = jobs_run_due()
        assert run.status == "failed"
        assert "returned int, not a dict summary" in run.error
        assert statuses(seoul) == {run.local_date: "failed"}


class TestLease:
    def test_a_run_left_running_by_a_dead_worker_is_retaken_after_the_lease(self, recorder):
        register_job("test.job", recorder)
        seoul = program_in("Asia/Seoul")
        with time_machine.travel(datetime(2027, 3, 1, 3, 0, tzinfo=UTC), tick=False) as clock:
            day = jobs_due(now=now())[0].local_date
            job_run_claim(program_id=seoul.id, job="test.job", local_date=day, now=now(), lease=conf.job_lease(),
                          worker="dead:1")  # fmt: skip
            clock.shift(conf.job_lease() - timedelta(seconds=1))
            assert jobs_run_due() == []
            clock.shift(timedelta(seconds=1))
            (run,) = jobs_run_due()
        assert (run.local_date, run.status, run.attempts) == (day, "done", 2)
        assert recorder.dates(seoul) == [day]

    def test_the_dead_workers_late_finish_does_not_overwrite_the_retaken_run(self):
        seoul = program_in("Asia/Seoul")
        lease = timedelta(hours=1)
        with time_machine.travel(datetime(2027, 3, 1, 3, 0, tzinfo=UTC), tick=False) as clock:
            first = job_run_claim(program_id=seoul.id, job="test.job", local_date=D(2027, 3, 1), now=now(),
                                  lease=lease, worker="a:1")  # fmt: skip
            clock.shift(lease)
            second = job_run_claim(program_id=seoul.id, job="test.job", local_date=D(2027, 3, 1), now=now(),
                                   lease=lease, worker="b:2")  # fmt: skip
            assert job_run_finish(run=first, summary={"from": "a"}, now=now()) is False
            assert job_run_finish(run=second, summary={"from": "b"}, now=now()) is True
        second.refresh_from_db()
        assert (second.status, second.summary, second.worker, second.attempts) == ("done", {"from": "b"}, "b:2", 2)


class TestByHand:
    def test_a_done_day_runs_again_only_when_forced(self, recorder):
        register_job("test.job", recorder)
        seoul = program_in("Asia/Seoul")
        first = job_run(name="test.job", program_id=seoul.id, local_date=D(2027, 1, 1))
        assert first is not None
        assert first.status == "done"
        assert job_run(name="test.job", program_id=seoul.id, local_date=D(2027, 1, 1)) is None
        again = job_run(name="test.job", program_id=seoul.id, local_date=D(2027, 1, 1), force=True)
        assert (again.status, again.attempts) == ("done", 2)
        assert recorder.dates(seoul) == [D(2027, 1, 1), D(2027, 1, 1)]

    def test_registering_a_name_twice_with_another_function_is_refused(self, recorder):
        register_job("test.job", recorder)
        register_job("test.job", recorder)  # the same registration again (a module imported twice) is fine
        with pytest.raises(ValueError, match="already registered"):
            register_job("test.job", recorder, at_local_time=time(3, 0))

    def test_a_stopping_worker_starts_no_further_job_day(self, recorder):
        register_job("test.job", recorder)
        program_in("Asia/Seoul")
        conf.stopping.set()
        assert jobs_run_due() == []
        assert recorder.calls == []

"""Scheduled programme jobs: registered once, run for every programme on each local day, never twice a day.

An area registers a job at import time in its ``jobs.py`` (imported by the worker and the commands)::

    register_job("points.expiry", points_expiry_run)   # fn(*, program_id: int, local_date: date) -> dict

Every few minutes the worker's tick looks, for each programme and job, at the local dates whose run time
(``at_local_time``, midnight by default, in the programme's time zone) has passed without a completed run,
and runs them oldest first, one call per day. The call happens outside any transaction: the job commits its
own batches and must be idempotent and resumable, because a day whose worker died is run again. Its returned
dict is kept as the run's summary. A ``JobRun`` row claimed before the call makes the day run once even with
several workers; a failed day is retried on the next tick and holds back that job's later days until it
succeeds, so days are always completed in order.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from tessera.kit.clock import now as clock_now
from tessera.messaging import conf
from tessera.messaging.models import JobRun
from tessera.messaging.rules import latest_due_date, local_dates_due
from tessera.messaging.selectors import job_progress, program_timezones
from tessera.messaging.services import job_run_claim, job_run_fail, job_run_finish

logger = logging.getLogger(__name__)

JobFunction = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Job:
    name: str
    fn: JobFunction
    at_local_time: time


@dataclass(frozen=True, order=True)
class DueRun:
    local_date: date
    program_id: int
    order: int  # registration order: on one day, jobs run in the order they were registered
    job: str


_jobs: dict[str, Job] = {}


def register_job(name: str, fn: JobFunction, *, at_local_time: time = time(0, 0)) -> JobFunction:
    """Run ``fn(program_id=..., local_date=...)`` once per programme and local day, after ``at_local_time``.

    :raises ValueError: ``name`` is already registered with another function or time.
    """
    if not name or len(name) > JobRun._meta.get_field("job").max_length:  # type: ignore[operator]
        raise ValueError(f"job name must be 1 to 64 characters: {name!r}")
    job = Job(name=name, fn=fn, at_local_time=at_local_time)
    known = _jobs.get(name)
    if known is not None and known != job:
        raise ValueError(f"job {name!r} is already registered: {known.fn!r} at {known.at_local_time}")
    _jobs[name] = job
    return fn


def job_list() -> list[Job]:
    """The registered jobs, in registration order."""
    return list(_jobs.values())


def job_get(name: str) -> Job | None:
    return _jobs.get(name)


def jobs_due(*, now: datetime) -> list[DueRun]:
    """Every (programme, job, local date) run that is due and not completed, oldest day first."""
    jobs = job_list()
    progress = job_progress(jobs=[job.name for job in jobs])
    due: list[DueRun] = []
    for program_id, timezone in program_timezones():
        for order, job in enumerate(jobs):
            latest = latest_due_date(now=now, timezone=timezone, at_local_time=job.at_local_time)
            known = progress.get((program_id, job.name))
            dates = local_dates_due(
                latest=latest,
                last_done=known.last_done if known else None,
                open_dates=known.open_dates if known else (),
            )
            due.extend(DueRun(local_date=d, program_id=program_id, order=order, job=job.name) for d in dates)
    return sorted(due)


def jobs_run_due(*, now: datetime | None = None) -> list[JobRun]:
    """Run every due job day in order (the worker's periodic tick); returns the runs this call made.

    A day that fails, or that another worker holds, stops that programme's job for this tick: later days
    wait, so a job never sees day D+1 before day D is complete.
    """
    held_back: set[tuple[int, str]] = set()
    runs: list[JobRun] = []
    for item in jobs_due(now=now or clock_now()):
        if conf.stopping.is_set():
            break
        if (item.program_id, item.job) in held_back:
            continue
        run = job_run(name=item.job, program_id=item.program_id, local_date=item.local_date)
        if run is not None:
            runs.append(run)
        if run is None or run.status != JobRun.Status.DONE:
            held_back.add((item.program_id, item.job))
    return runs


def job_run(*, name: str, program_id: int, local_date: date, force: bool = False) -> JobRun | None:
    """Claim and run one job for one programme and local date; None when it is done or held by another worker.

    With ``force`` a completed day runs again (by hand: the job is idempotent). A failing job is recorded as a
    failed run, not raised: the error and traceback are on the returned run.

    :raises KeyError: no job is registered under ``name``.
    """
    job = _jobs[name]
    run = job_run_claim(
        program_id=program_id, job=name, local_date=local_date, now=clock_now(), lease=conf.job_lease(),
        worker=_worker_name(), force=force,
    )  # fmt: skip
    if run is None:
        return None
    try:
        summary = job.fn(program_id=program_id, local_date=local_date)
        if not isinstance(summary, dict):
            raise TypeError(f"job {name!r} returned {type(summary).__name__}, not a dict summary")
    except Exception as exc:
        logger.exception("job %s for programme %s on %s failed", name, program_id, local_date)
        job_run_fail(run=run, error="".join(traceback.format_exception(exc)), now=clock_now())
        return run
    if not job_run_finish(run=run, summary=summary, now=clock_now()):
        logger.warning("job %s for programme %s on %s outlived its lease; another worker retook it", name,
                       program_id, local_date)  # fmt: skip
    return run


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"

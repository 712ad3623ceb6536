"""``tessera jobs``: run a programme job by hand, run everything due, and show where each job stands.

``tessera jobs run points.expiry --program prg_01H... --date 2027-03-01 [--force]`` runs one day of one job;
``tessera jobs tick`` does once what the worker does every five minutes (for cron-less installations);
``tessera jobs status [--program prg_01H...]`` lists the registered jobs and each job's newest and unfinished days.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from tessera.kit.clock import now as clock_now
from tessera.messaging.jobs import job_get, job_list, job_run, jobs_run_due
from tessera.messaging.models import JobRun
from tessera.messaging.relay import registrations_load
from tessera.messaging.selectors import job_run_status, program_by_public_id
from tessera.programs.models import Program


class Command(BaseCommand):
    help = "Programme jobs. 'run' runs one job for one programme and local date; 'tick' runs every due job; 'status'."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["run", "tick", "status"])
        parser.add_argument("name", nargs="?", help="job name (run)")
        parser.add_argument("--program", help="programme public id (run; optional for status)")
        parser.add_argument("--date", type=date.fromisoformat, help="local date YYYY-MM-DD (run)")
        parser.add_argument("--force", action="store_true", help="run again even if the day is done (run)")

    def handle(self, *args: Any, **options: Any) -> None:
        registrations_load()
        action = options["action"]
        if action == "run":
            self._run(options)
        elif action == "tick":
            runs = jobs_run_due()
            for run in runs:
                self._show(run)
            self.stdout.write(f"jobs tick: {len(runs)} run(s)")
        else:
            program = self._program(options["program"]) if options["program"] else None
            self._status(program)

    def _run(self, options: dict[str, Any]) -> None:
        name, local_date = options["name"], options["date"]
        if not name or not options["program"] or local_date is None:
            raise CommandError("usage: tessera jobs run <name> --program <public id> --date YYYY-MM-DD")
        if job_get(name) is None:
            known = ", ".join(job.name for job in job_list()) or "none"
            raise CommandError(f"no job named {name!r} (registered: {known})")
        program = self._program(options["program"])
        today = clock_now().astimezone(ZoneInfo(program.timezone)).date()
        if local_date > today:
            # A future day marked done would let the scheduler skip the days before it.
            raise CommandError(f"{local_date} has not begun in {program.timezone} (today there is {today})")
        run = job_run(name=name, program_id=program.id, local_date=local_date, force=options["force"])
        if run is None:
            raise CommandError(f"{name} {local_date} is done or running elsewhere; --force runs a done day again")
        self._show(run)
        if run.status != JobRun.Status.DONE:
            raise CommandError(f"{name} {local_date} failed:\n{run.error}", returncode=1)

    def _program(self, public_id: str) -> Program:
        program = program_by_public_id(public_id=public_id)
        if program is None:
            raise CommandError(f"no programme {public_id!r}")
        return program

    def _show(self, run: JobRun) -> None:
        summary = json.dumps(run.summary, cls=DjangoJSONEncoder, sort_keys=True)
        self.stdout.write(f"{run.job} programme={run.program_id} {run.local_date} {run.status} {summary}")

    def _status(self, program: Program | None) -> None:
        for job in job_list():
            self.stdout.write(f"job {job.name} at {job.at_local_time:%H:%M} local ({job.fn.__module__})")
        for run in job_run_status(program_id=program.id if program else None):
            error = run.error.strip().splitlines()[-1] if run.error.strip() else ""
            self.stdout.write(
                f"{run.program.public_id} {run.job} {run.local_date} {run.status} attempts={run.attempts}"
                f" finished={run.finished_at or '-'} {error}".rstrip()
            )

"""``tessera analytics rfm --program prg_01H... [--date YYYY-MM-DD]``: score a programme and print the counts.

Makes the programme's RFM run for the reference date (default: the programme-local day after today), or finds
the one made earlier for that date, and prints its thresholds, then the members and net spend (minor units) per
segment, working group and lifecycle stage, tab-separated.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tessera.analytics.errors import ReferenceDatePassed
from tessera.analytics.models import RfmRun
from tessera.analytics.selectors import Count, rfm_group_counts, rfm_segment_counts, rfm_stage_counts
from tessera.analytics.services import rfm_run_create
from tessera.kit.clock import now as clock_now
from tessera.programs.models import Program


class Command(BaseCommand):
    help = "Member analytics. 'rfm' scores a programme (or finds the run for that date) and prints its counts."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["rfm"])
        parser.add_argument("--program", required=True, help="programme public id")
        parser.add_argument("--date", type=date.fromisoformat, help="reference date YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(public_id=options["program"]).first()
        if program is None:
            raise CommandError(f"no programme {options['program']!r}")
        try:
            run = rfm_run_create(program=program, reference_date=options["date"], now=clock_now())
        except ReferenceDatePassed as exc:
            raise CommandError(exc.text()) from exc
        self._show(run)

    def _show(self, run: RfmRun) -> None:
        self.stdout.write(
            f"rfm {run.program.public_id} reference {run.reference_date} ({run.timezone}, {run.currency})"
            f" members {run.members_scored} made {run.created_at:%Y-%m-%d %H:%M:%S%z}"
        )
        self.stdout.write(
            f"thresholds {run.thresholds_source} from {run.repeat_buyers} repeat buyers: new within"
            f" {run.typical_days} days, at risk after {run.at_risk_days}, lapsed after {run.lapsed_days}"
        )
        for kind, counts in (("segment", rfm_segment_counts(run=run)), ("group", rfm_group_counts(run=run)),
                             ("stage", rfm_stage_counts(run=run))):  # fmt: skip
            self._table(kind, counts)

    def _table(self, kind: str, counts: list[Count]) -> None:
        self.stdout.write(f"{kind}\tmembers\tnet_spend_minor")
        for count in counts:
            self.stdout.write(f"{count.code}\t{count.members}\t{count.net_spend_minor}")

"""``tessera tier_evaluate --program prg_... [--date YYYY-MM-DD]``: run the tier evaluation job by hand.

Without ``--date`` it evaluates the programme's current local day. The job is idempotent, so running a day again,
or after a crash, is safe.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tessera.kit.clock import now
from tessera.programs.models import Program
from tessera.tiers.rules.windows import local_date
from tessera.tiers.services import tier_evaluation_run


class Command(BaseCommand):
    help = "Close the tier windows and grace periods of one programme that ended by a local date."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--program", required=True, help="The programme's public id (prg_...).")
        parser.add_argument("--date", type=date.fromisoformat, help="Local date, YYYY-MM-DD (default: today).")
        parser.add_argument("--batch-size", type=int, default=10_000)

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(public_id=options["program"]).first()
        if program is None:
            raise CommandError(f"no programme {options['program']}")
        day = options["date"] or local_date(now(), program.timezone)
        summary = tier_evaluation_run(program_id=program.id, local_date=day, batch_size=options["batch_size"])
        self.stdout.write(json.dumps(summary))

"""``tessera ledger verify``: exit 0 when every invariant holds, 1 and a list of violations otherwise."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tessera.ledger.verify import check_names, ledger_verify


class Command(BaseCommand):
    help = "Ledger tools. 'verify' checks every ledger invariant and exits non-zero on any violation."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        violations = ledger_verify()
        for violation in violations:
            self.stderr.write(f"VIOLATION [{violation.check}] {violation.detail}")
        if violations:
            raise CommandError(f"ledger verify: {len(violations)} violation(s)", returncode=1)
        self.stdout.write(f"ledger verify: ok ({len(check_names())} checks)")

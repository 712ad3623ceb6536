"""``tessera outbox drain`` delivers every message due now and exits; ``tessera outbox status`` counts them.

``drain`` is for installations without a running worker (a cron line) and for tests: it uses the same claims
as the worker, so it is safe to run beside one. It exits 1 if any delivery failed.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tessera.kit.clock import now as clock_now
from tessera.messaging import conf
from tessera.messaging.relay import handler_kinds, outbox_drain, registrations_load
from tessera.messaging.selectors import outbox_counts


class Command(BaseCommand):
    help = "Outbox tools. 'drain' delivers every message due now; 'status' counts messages per kind."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["drain", "status"])
        parser.add_argument("--limit", type=int, default=100_000, help="most messages to deliver (drain)")

    def handle(self, *args: Any, **options: Any) -> None:
        registrations_load()
        if options["action"] == "status":
            self._status()
            return
        outcomes = outbox_drain(limit=options["limit"])
        counts = ", ".join(f"{name} {outcomes[name]}" for name in ("processed", "failed", "dead", "skipped"))
        self.stdout.write(f"outbox drain: {counts}")
        if outcomes["failed"] or outcomes["dead"]:
            raise CommandError("outbox drain: some deliveries failed (see last_error in admin)", returncode=1)

    def _status(self) -> None:
        handled = set(handler_kinds())
        rows = outbox_counts(now=clock_now(), attempts_max=conf.outbox_attempts_max())
        self.stdout.write(f"{'kind':<40} {'due':>8} {'waiting':>8} {'dead':>8} {'processed':>10}  handler")
        for row in rows:
            handler = "yes" if row.kind in handled else "NONE (messages wait)"
            self.stdout.write(
                f"{row.kind:<40} {row.due:>8} {row.waiting:>8} {row.dead:>8} {row.processed:>10}  {handler}"
            )
        if not rows:
            self.stdout.write("(the outbox is empty)")

"""``tessera demo``: a working Tessera with a year of realistic data, in under a minute, on embedded SQLite.

Migrates, loads the demo (a clothing chain in China with its alliance of a café and a fuel station, a beauty salon
in Korea) unless the database already holds data, checks every ledger invariant, prints the demo staff accounts
and a terminal API key per store, then serves at http://127.0.0.1:8000 unless ``--no-serve``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tessera.demo.accounts import KEYS_FILE, KeyRow, staff_accounts, terminal_keys
from tessera.demo.loader import DemoLoadFailed, LoadSummary, demo_load
from tessera.demo.management.commands.serve import add_server_arguments, serve
from tessera.demo.server import bind_address
from tessera.ledger.verify import check_names, ledger_verify
from tessera.members.models import Member
from tessera.stores.models import Merchant

MEMBERS_DEFAULT = 2500
MEMBERS_MAX = 50_000
KIND_NAMES = {
    "sale": "sales",
    "top_up": "top-ups",
    "top_up_refund": "top-up refunds",
    "return": "returns",
    "redemption": "points redemptions",
}


class Command(BaseCommand):
    help = (
        "Load the demo (a clothing chain in China with its alliance, a beauty salon in Korea, a year of history) "
        "into an empty database, verify the ledger, print the demo accounts and API keys, and serve Tessera."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Load and check the demo, then exit.")
        parser.add_argument("--members", type=int, default=MEMBERS_DEFAULT, help="Members in total (default 2500).")
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Random seed (default 1): the same seed on the same day plans the same year.",
        )
        # For tests and reproducible screenshots: where the year ends (ISO 8601 with offset) and where keys are kept.
        parser.add_argument("--end", type=datetime.fromisoformat, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--keys-file", type=Path, default=None, help=argparse.SUPPRESS)
        add_server_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["members"] <= MEMBERS_MAX:
            raise CommandError(f"--members must be between 1 and {MEMBERS_MAX}.")
        if options["end"] is not None and options["end"].tzinfo is None:
            raise CommandError("--end needs a UTC offset, e.g. 2025-06-30T12:00+00:00.")
        started = time.perf_counter()
        self.stdout.write(f"Database: {_database_label()}")
        call_command("migrate", interactive=False, verbosity=0)
        self._load(members=options["members"], seed=options["seed"], end=options["end"])
        self._verify()
        keys_file = options["keys_file"] or Path(settings.WORK_DIR) / KEYS_FILE
        self._show_accounts(keys_file=keys_file, base_url=f"http://{bind_address(options['host'], options['port'])}")
        self.stdout.write(f"Ready in {time.perf_counter() - started:.1f} s.\n")
        if not options["no_serve"]:
            serve(self, options)

    def _load(self, *, members: int, seed: int, end: datetime | None) -> None:
        merchants, existing = Merchant.objects.count(), Member.objects.count()
        if merchants or existing:
            self.stdout.write(
                f"The database already holds data ({merchants} merchants, {existing:,} members): the demo is not "
                "loaded again. To start afresh, remove the database file or point DATABASE_URL at an empty one."
            )
            return
        self.stdout.write(f"Loading the demo: {members:,} members and a year of till activity (seed {seed})...")
        try:
            summary = demo_load(seed=seed, members=members, end=end, progress=_Progress(self))
        except (DemoLoadFailed, KeyboardInterrupt) as exc:
            self.stderr.write("The demo is only partly loaded. Remove the database and run `tessera demo` again.")
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise CommandError(str(exc)) from exc
        self.stdout.write(_summary_text(summary))

    def _verify(self) -> None:
        violations = ledger_verify()
        for violation in violations:
            self.stderr.write(f"VIOLATION [{violation.check}] {violation.detail}")
        if violations:
            raise CommandError(f"ledger verify: {len(violations)} violation(s); not serving this data.", returncode=1)
        self.stdout.write(f"Ledger verify: ok ({len(check_names())} checks).")

    def _show_accounts(self, *, keys_file: Path, base_url: str) -> None:
        accounts = staff_accounts()
        if accounts:
            self.stdout.write("\nDemo staff accounts (sign in at the console):")
            width = max(len(a.username) for a in accounts)
            pw_width = max(len(a.password) for a in accounts)
            role_width = max(len(a.role) for a in accounts)
            self.stdout.write(f"  {'username':<{width}}  {'password':<{pw_width}}  {'role':<{role_width}}  store")
            for a in accounts:
                self.stdout.write(
                    f"  {a.username:<{width}}  {a.password:<{pw_width}}  {a.role:<{role_width}}  {a.store}"
                )
        keys = terminal_keys(path=keys_file)
        if keys:
            self.stdout.write("\nTerminal API keys, one per store (header: Authorization: Bearer <key>):")
            for k in keys:
                self.stdout.write(f"  {k.store_code:<5} {k.key}  {k.terminal} at {k.store_name}")
            self.stdout.write(_try_text(keys[0], base_url))
        if accounts or keys:
            self.stdout.write("")


class _Progress:
    """Reports load progress: a line rewritten in place on a terminal, a line per quarter otherwise."""

    def __init__(self, command: BaseCommand) -> None:
        self.command = command
        self.tty = sys.stdout.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        step = 1 if self.tty else 25
        if percent // step == self.shown // step and done != total:
            return
        self.shown = percent
        text = f"  {percent:3d}%  {done:,} of {total:,} till events"
        if self.tty:
            self.command.stdout.write("\r" + text, ending="\n" if done == total else "")
            self.command.stdout.flush()
        else:
            self.command.stdout.write(text)


def _try_text(key: KeyRow, base_url: str) -> str:
    member = Member.objects.filter(program__participants__merchant_id=key.merchant_id).order_by("id").first()
    card = member.card_number if member is not None else "<card number or phone>"
    return f'  Try: curl -H "Authorization: Bearer {key.key}" "{base_url}/api/v1/members/lookup?q={card}"'


def _summary_text(summary: LoadSummary) -> str:
    documents = sum(summary.documents.values())
    kinds = ", ".join(f"{summary.documents.get(k, 0):,} {name}" for k, name in KIND_NAMES.items())
    return (
        f"Loaded in {summary.seconds:.1f} s: {summary.members:,} members, {documents:,} documents ({kinds}), "
        f"{summary.postings:,} postings, {summary.entries:,} ledger entries."
    )


def _database_label() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"SQLite {db['NAME']}"
    return f"{connection.vendor} {db.get('NAME', '')} on {db.get('HOST') or 'localhost'}"

"""``tessera serve``: bring the database up to date, then run Tessera under gunicorn in the foreground."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tessera.demo.server import serve_exec, urls_text, workers_default


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
    parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
    parser.add_argument("--workers", type=int, default=None, help="Worker processes (default: by database and cores).")
    parser.add_argument("--threads", type=int, default=4, help="Threads per worker process (default 4).")


def serve(command: BaseCommand, options: dict[str, Any]) -> None:
    workers = options["workers"] or workers_default()
    if workers < 1 or options["threads"] < 1 or not 0 < options["port"] < 65536:
        raise CommandError("--workers and --threads must be at least 1, and --port between 1 and 65535.")
    command.stdout.write(urls_text(options["host"], options["port"]))
    serve_exec(
        host=options["host"],
        port=options["port"],
        workers=workers,
        threads=options["threads"],
        flush=command.stdout.flush,
    )


class Command(BaseCommand):
    help = "Apply migrations, then serve Tessera (console, POS API, admin) with gunicorn in the foreground."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_server_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        serve(self, options)

"""``tessera worker``: run the huey consumer that drives the outbox relay and the programme jobs.

SIGTERM (what systemd, Docker and Kubernetes send) stops it gracefully: no new task starts, the relay finishes
the message in hand and the jobs tick the job run in hand, then the process exits 0. A second SIGTERM, or
``--shutdown-timeout`` elapsing, interrupts at once; a row claimed at that moment reappears after its lease.
SIGINT (Ctrl-C) stops at once, in the same way.
"""

from __future__ import annotations

import argparse
import logging
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from huey.consumer import Consumer
from huey.consumer_options import ConsumerConfig

from tessera.messaging import conf

# Django's -v 0/1/2 to huey's quiet (warnings), normal (info) and verbose (debug) logging.
_VERBOSE = {0: False, 1: None}


class _Consumer(Consumer):
    def _handle_signal(self, signum: int, frame: FrameType | None) -> None:
        # Tell the long-running ticks to wind down; huey itself stops handing out tasks and waits for them.
        conf.stopping.set()
        super()._handle_signal(signum, frame)


class Command(BaseCommand):
    help = "Run the background worker: the outbox relay and the scheduled programme jobs (huey consumer)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="worker threads (default 2; the relay uses one)")
        parser.add_argument(
            "--shutdown-timeout", type=float, default=60.0, help="seconds to wait for tasks on SIGTERM (default 60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here: building the queue reads the environment, and the tasks need every area's registrations.
        from tessera.messaging import tasks
        from tessera.messaging.relay import registrations_load

        registrations_load()
        if tasks.huey.immediate:
            raise CommandError("the task queue is in immediate mode (HUEY_IMMEDIATE or test settings)")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        config = ConsumerConfig(
            workers=options["workers"], worker_type="thread", periodic=True, graceful_signal="TERM",
            shutdown_timeout=options["shutdown_timeout"], verbose=_VERBOSE.get(options["verbosity"], True),
        )  # fmt: skip
        config.validate()
        huey_logger = logging.getLogger("huey")
        if not huey_logger.handlers:  # unless LOGGING configures it: then that configuration wins
            config.setup_logger(huey_logger)
            huey_logger.propagate = False  # else the root handler prints every line a second time
        conf.stopping.clear()
        _Consumer(tasks.huey, **config.values).run()
        self.stdout.write("worker stopped")

"""Tuning for the outbox relay and the programme jobs, and the worker's stop signal.

Each knob is read when used, from a Django setting of the same name if one exists, else from the environment,
else the default here; so a deployment tunes the worker without a settings change and tests override with
the ``settings`` fixture.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta

from django.conf import settings

# Set by ``tessera worker`` when SIGTERM or SIGINT arrives. Long loops (the relay, the jobs catch-up) check it
# between units of work, so the worker finishes the message or job run in hand and then exits.
stopping = threading.Event()


def _number(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value is None else int(value)


def outbox_attempts_max() -> int:
    """Deliveries tried before a message becomes a dead letter (shown in admin; "retry now" revives it)."""
    return _number("TESSERA_OUTBOX_ATTEMPTS_MAX", 10)


def outbox_lease() -> timedelta:
    """How long a claimed message stays hidden from other workers; a crashed worker's message reappears after."""
    return timedelta(seconds=_number("TESSERA_OUTBOX_LEASE_SECONDS", 300))


def outbox_retry_base() -> timedelta:
    """The first back-off after a failed delivery; each further failure doubles it."""
    return timedelta(seconds=_number("TESSERA_OUTBOX_RETRY_BASE_SECONDS", 60))


def outbox_retry_cap() -> timedelta:
    return timedelta(seconds=_number("TESSERA_OUTBOX_RETRY_CAP_SECONDS", 6 * 3600))


def outbox_retention() -> timedelta:
    """Processed messages older than this are pruned (dead letters are kept until someone acts on them)."""
    return timedelta(days=_number("TESSERA_OUTBOX_RETENTION_DAYS", 30))


def job_lease() -> timedelta:
    """How long a running job run is trusted before another worker may retake it.

    It must exceed the longest honest run (the nightly expiry at full size), or a slow run is started twice;
    the jobs are idempotent, so that costs time, not correctness.
    """
    return timedelta(seconds=_number("TESSERA_JOB_LEASE_SECONDS", 3600))


def relay_poll_seconds() -> int:
    """Pause between looks at an empty outbox inside one relay tick: the delivery lag when the worker is idle."""
    return _number("TESSERA_RELAY_POLL_SECONDS", 2)

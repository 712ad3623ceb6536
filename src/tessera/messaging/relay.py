"""The outbox relay: deliver each committed outbox message to the handler registered for its kind.

Delivery is at least once. A worker claims a message (house style §5), calls the handler outside any
transaction, then records the result: processed, or the error and an exponentially later retry; after
``TESSERA_OUTBOX_ATTEMPTS_MAX`` attempts the message is a dead letter until someone retries it in admin. A
worker that dies mid-delivery leaves a claimed row that reappears when its lease ends, so handlers must be
idempotent: the same message may arrive twice (use ``message.id`` or ``dedupe_key`` as the provider's key).

Areas register handlers at import time in their ``jobs.py`` or ``handlers.py``, which the worker and the
commands import at start (``registrations_load``)::

    register_handler("points.expiring", points_expiring_send)   # fn(message: OutboxMessage) -> None
"""

from __future__ import annotations

import logging
import time
import traceback
from collections import Counter
from collections.abc import Callable

from django.db import close_old_connections, connection
from django.utils.module_loading import autodiscover_modules

from tessera.kit.clock import now as clock_now
from tessera.messaging import conf
from tessera.messaging.models import OutboxMessage
from tessera.messaging.rules import retry_delay
from tessera.messaging.selectors import outbox_due_ids
from tessera.messaging.services import outbox_claim, outbox_mark_failed, outbox_mark_processed

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]
_handlers: dict[str, Handler] = {}
BATCH = 100


def register_handler(kind: str, fn: Handler) -> Handler:
    """Deliver outbox messages of ``kind`` with ``fn(message)``; returns ``fn``. One handler per kind.

    The handler runs outside any transaction (a service it calls opens its own); returning means delivered,
    raising means try again later. It must be idempotent.

    :raises ValueError: another function already handles ``kind``.
    """
    known = _handlers.get(kind)
    if known is not None and known is not fn:
        raise ValueError(f"outbox kind {kind!r} already has a handler: {known!r}")
    _handlers[kind] = fn
    return fn


def handler_kinds() -> list[str]:
    return sorted(_handlers)


def registrations_load() -> None:
    """Import every area's ``jobs`` and ``handlers`` modules, where jobs and outbox handlers are registered."""
    autodiscover_modules("jobs", "handlers")


def outbox_drain(*, limit: int = 10_000) -> Counter[str]:
    """Deliver every message due now, oldest first, up to ``limit``; counts outcomes by name.

    Outcomes: ``processed``, ``failed`` (will be retried), ``dead`` (failed its last attempt) and ``skipped``
    (another worker claimed it first). Stops early when the worker is asked to stop.
    """
    outcomes: Counter[str] = Counter()
    kinds = handler_kinds()
    while kinds and outcomes.total() < limit and not conf.stopping.is_set():
        size = min(BATCH, limit - outcomes.total())
        batch = outbox_due_ids(now=clock_now(), kinds=kinds, attempts_max=conf.outbox_attempts_max(), limit=size)
        if not batch:
            break
        for message_id in batch:
            if conf.stopping.is_set():
                break
            outcomes[outbox_deliver(message_id=message_id)] += 1
    return outcomes


def outbox_deliver(*, message_id: int) -> str:
    """Claim one message and hand it to its handler; returns the outcome (see ``outbox_drain``)."""
    attempts_max = conf.outbox_attempts_max()
    if not outbox_claim(message_id=message_id, now=clock_now(), lease=conf.outbox_lease(), attempts_max=attempts_max):
        return "skipped"
    message = OutboxMessage.objects.get(id=message_id)
    try:
        handler = _handlers[message.kind]
        handler(message)
    except Exception as exc:
        return _failed(message, exc, attempts_max)
    outbox_mark_processed(message_id=message.id, now=clock_now())
    return "processed"


def _failed(message: OutboxMessage, exc: Exception, attempts_max: int) -> str:
    delay = retry_delay(attempts=message.attempts, base=conf.outbox_retry_base(), cap=conf.outbox_retry_cap())
    error = "".join(traceback.format_exception(exc))
    outbox_mark_failed(message_id=message.id, attempts=message.attempts, error=error, retry_at=clock_now() + delay)
    dead = message.attempts >= attempts_max
    log = logger.error if dead else logger.warning
    log("outbox %s #%s attempt %s/%s failed: %r", message.kind, message.id, message.attempts, attempts_max, exc)
    return "dead" if dead else "failed"


def outbox_relay_for(*, seconds: float) -> Counter[str]:
    """Deliver messages as they fall due for about ``seconds``, looking again every poll interval when idle.

    This is the body of the relay's periodic task: huey schedules by the minute, so one tick keeps watching
    the outbox for most of that minute and delivery lags a commit by a few seconds at most.
    """
    deadline = time.monotonic() + seconds
    outcomes: Counter[str] = Counter()
    while not conf.stopping.is_set() and time.monotonic() < deadline:
        done = outbox_drain(limit=BATCH)
        outcomes.update(done)
        if not done:
            # Idle: give a broken or expired connection back before waiting, as between requests. (Never
            # inside a caller's transaction, which closing would end: only a test calls the loop in one.)
            if not connection.in_atomic_block:
                close_old_connections()
            conf.stopping.wait(min(conf.relay_poll_seconds(), max(deadline - time.monotonic(), 0)))
    return outcomes

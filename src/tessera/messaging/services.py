"""Writes of the messaging area: enqueueing outbox messages in the caller's transaction, and the relay's and
the job scheduler's bookkeeping (claims, results, retries)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, Q

from tessera.kit.db import assert_in_transaction, db_datetime, db_json, sql_run, use_case
from tessera.messaging.models import JobRun, OutboxMessage

TABLE = OutboxMessage._meta.db_table
# Errors keep their end (the traceback's last frames and the message), within a size an admin page can show.
ERROR_CHARS_MAX = 8_000


def clip_error(text: str) -> str:
    return text if len(text) <= ERROR_CHARS_MAX else "..." + text[-ERROR_CHARS_MAX:]


COLUMNS = "kind, payload, locale, dedupe_key, available_at, attempts, last_error, created_at"


def outbox_enqueue(
    *,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    locale: str = "en",
    dedupe_key: str | None = None,
    available_at: datetime | None = None,
) -> None:
    """Record a message to deliver once the transaction commits; a repeated ``dedupe_key`` adds nothing."""
    assert_in_transaction()
    sql_run(
        f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, 0, '', %s)"  # noqa: S608
        " ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING",
        [kind, db_json(payload), locale, dedupe_key, db_datetime(available_at or now), db_datetime(now)],
    )


def outbox_enqueue_select(select_sql: str, params: Sequence[Any]) -> int:
    """Enqueue one message per row of ``select_sql``, set-based; returns how many were new.

    The SELECT must yield, in order: kind, payload (JSON text), locale, dedupe_key, available_at, created_at.
    Rows whose dedupe key is already queued are skipped, so a job that runs twice enqueues nothing twice.
    """
    assert_in_transaction()
    return sql_run(
        f"INSERT INTO {TABLE} (kind, payload, locale, dedupe_key, available_at, created_at, attempts, last_error)"  # noqa: S608
        f" SELECT src.*, 0, '' FROM ({select_sql}) AS src"
        " WHERE true ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING",
        params,
    )


# ---------------------------------------------------------------- relay: claim, finish, fail, retry, prune
# Each write below is one short statement in its own transaction, never held open around a handler or a job:
# a handler may call a provider for seconds, and on SQLite an open write transaction stops every till.


def outbox_claim(*, message_id: int, now: datetime, lease: timedelta, attempts_max: int) -> bool:
    """Take one due message for ``lease``; False when another worker took it first or it is a dead letter."""
    with use_case():
        # The conditional UPDATE is the claim. Pushing available_at forward hides the row for one lease; if this
        # worker dies the row reappears. 0 rows: another worker won, or the message was handled meanwhile.
        claimed_rows = OutboxMessage.objects.filter(
            id=message_id, processed_at__isnull=True, available_at__lte=now, attempts__lt=attempts_max
        ).update(available_at=now + lease, attempts=F("attempts") + 1)
    return claimed_rows == 1


def outbox_mark_processed(*, message_id: int, now: datetime) -> bool:
    """Record a delivery; False if some other worker recorded it first (both delivered: handlers are idempotent)."""
    with use_case():
        changed = OutboxMessage.objects.filter(id=message_id, processed_at__isnull=True).update(
            processed_at=now, last_error=""
        )
    return changed == 1


def outbox_mark_failed(*, message_id: int, attempts: int, error: str, retry_at: datetime) -> bool:
    """Record a failed delivery and when to try again; ignored if another worker has claimed the row since."""
    with use_case():
        # attempts is the claim's token: a worker whose lease ran out must not push back its successor's claim.
        changed = OutboxMessage.objects.filter(id=message_id, processed_at__isnull=True, attempts=attempts).update(
            available_at=retry_at, last_error=clip_error(error)
        )
    return changed == 1


def outbox_retry(*, message_ids: Iterable[int], now: datetime) -> int:
    """Make unprocessed messages due now with a fresh set of attempts ("retry now" on dead letters).

    The last error stays, so whoever looks next still sees why it failed before.
    """
    with use_case():
        return OutboxMessage.objects.filter(id__in=list(message_ids), processed_at__isnull=True).update(
            available_at=now, attempts=0
        )


def outbox_prune(*, processed_before: datetime, batch_size: int = 5_000) -> int:
    """Delete messages processed before ``processed_before``, in batches; returns how many went."""
    deleted = 0
    while True:
        with use_case():
            ids = list(
                OutboxMessage.objects.filter(processed_at__lt=processed_before)
                .order_by("id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                return deleted
            deleted += OutboxMessage.objects.filter(id__in=ids).delete()[0]


# ---------------------------------------------------------------- job runs: claim, finish, fail
RUNS = JobRun._meta.db_table
_RUNNING_AGAIN: dict[str, Any] = {"status": JobRun.Status.RUNNING, "finished_at": None, "error": ""}


def job_run_claim(
    *, program_id: int, job: str, local_date: date, now: datetime, lease: timedelta, worker: str, force: bool = False
) -> JobRun | None:
    """Claim the run of ``job`` for one programme and local date; None when it is done or another worker has it.

    A new day is claimed by inserting its row (insert-or-skip on the unique key); an existing row is retaken
    when it failed, or when it is still ``running`` after the lease (its worker died). ``force`` also retakes
    a finished day: jobs are idempotent, so running one again by hand is safe.
    """
    with use_case():
        inserted = sql_run(
            f"INSERT INTO {RUNS} (program_id, job, local_date, status, attempts, worker, started_at, summary, error)"  # noqa: S608
            " VALUES (%s, %s, %s, 'running', 1, %s, %s, %s, '')"
            " ON CONFLICT (program_id, job, local_date) DO NOTHING",
            [program_id, job, connection.ops.adapt_datefield_value(local_date), worker, db_datetime(now), db_json({})],
        )
        if not inserted:
            retakable = Q(status=JobRun.Status.FAILED) | Q(status=JobRun.Status.RUNNING, started_at__lte=now - lease)
            if force:
                retakable |= Q(status=JobRun.Status.DONE)
            inserted = JobRun.objects.filter(retakable, program_id=program_id, job=job, local_date=local_date).update(
                **_RUNNING_AGAIN, attempts=F("attempts") + 1, worker=worker, started_at=now
            )
        if not inserted:
            return None
        return JobRun.objects.get(program_id=program_id, job=job, local_date=local_date)


def job_run_finish(*, run: JobRun, summary: dict[str, Any], now: datetime) -> bool:
    """Mark a claimed run done with the job's summary; False if the claim was lost to a retake meanwhile."""
    return _job_run_close(run=run, status=JobRun.Status.DONE, summary=summary, error="", now=now)


def job_run_fail(*, run: JobRun, error: str, now: datetime) -> bool:
    """Mark a claimed run failed; the scheduler tries the day again on its next tick."""
    return _job_run_close(run=run, status=JobRun.Status.FAILED, summary={}, error=error, now=now)


def _job_run_close(*, run: JobRun, status: str, summary: dict[str, Any], error: str, now: datetime) -> bool:
    with use_case():
        # attempts is the claim's token: a run retaken by another worker is that worker's to close.
        changed = JobRun.objects.filter(id=run.id, status=JobRun.Status.RUNNING, attempts=run.attempts).update(
            status=status, summary=summary, error=clip_error(error), finished_at=now
        )
    run.refresh_from_db()
    return changed == 1

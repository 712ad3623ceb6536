"""Enqueueing outbox messages inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tessera.kit.db import assert_in_transaction, db_datetime, db_json, sql_run
from tessera.messaging.models import OutboxMessage

TABLE = OutboxMessage._meta.db_table
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

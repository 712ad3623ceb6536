"""Claiming an idempotency key at the start of a write and storing its answer at the end.

The claim is an INSERT that does nothing on conflict. Under PostgreSQL a second request with the same key
blocks on the unique index until the first commits, then finds its stored answer; if the first rolled back,
the second goes ahead as if it were first. Under SQLite the IMMEDIATE transaction already serialises writers.
A failed request stores nothing, so the POS may retry the same key after fixing the cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from tessera.idempotency.errors import IdempotencyKeyInvalid, IdempotencyKeyMissing, IdempotencyKeyReused
from tessera.idempotency.models import IdempotencyRecord
from tessera.kit.db import Read, assert_in_transaction, db_json, sql_reads, sql_run


@dataclass(frozen=True, slots=True)
class Claim:
    record_id: int
    replay: dict[str, Any] | None  # the earlier answer when this key was already used for the same request


def idempotency_key_clean(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip()
    if not (1 <= len(key) <= 255) or not key.isascii() or not key.isprintable():
        raise IdempotencyKeyInvalid()
    return key


def idempotency_key_require(raw: str | None) -> str:
    """The cleaned key of a write that must carry one.

    :raises IdempotencyKeyMissing: no key was sent.
    """
    key = idempotency_key_clean(raw)
    if key is None:
        raise IdempotencyKeyMissing()
    return key


def idempotency_claim(*, store_id: int, key: str, operation: str, fingerprint: str, now: datetime) -> Claim:
    """Claim ``key`` for this request, or return the answer it already has.

    :raises IdempotencyKeyReused: the key was used before with another operation or body.
    """
    claim = idempotency_claim_read(store_id=store_id, key=key, operation=operation, fingerprint=fingerprint, now=now)
    inserted: int | None = sql_reads([claim])[0]
    return idempotency_claim_settle(inserted, store_id=store_id, key=key, operation=operation, fingerprint=fingerprint)


def idempotency_claim_read(
    *, store_id: int, key: str, operation: str, fingerprint: str, now: datetime, answer_document: str | None = None
) -> Read[int | None]:
    """The claim's INSERT, to send with other statements (``sql_reads``); its answer goes to ``..._settle``.

    Its answer is the new record's id, or None when the key was claimed before. ``answer_document`` names the
    document this write will insert in the same transaction: its receipt is then the key's answer, and the
    record needs no second write (a POS write's receipt is about a kilobyte, and it was written twice).
    """
    assert_in_transaction()
    return Read(
        f"INSERT INTO {IdempotencyRecord._meta.db_table}"  # noqa: S608
        " (store_id, key, operation, fingerprint, created_at, answer_document)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (store_id, key) DO NOTHING RETURNING id",
        [store_id, key, operation, fingerprint, connection.ops.adapt_datetimefield_value(now), answer_document],
        lambda rows: int(rows[0][0]) if rows else None,
    )


def idempotency_claim_settle(
    inserted: int | None,
    *,
    store_id: int,
    key: str,
    operation: str,
    fingerprint: str,
    answer_of: Callable[[str], dict[str, Any]] | None = None,
) -> Claim:
    """The claim, given the answer of ``idempotency_claim_read``; ``answer_of`` reads a document's receipt.

    :raises IdempotencyKeyReused: the key was used before with another operation or body.
    """
    if inserted is not None:
        return Claim(record_id=inserted, replay=None)
    earlier = IdempotencyRecord.objects.get(store_id=store_id, key=key)
    if earlier.operation != operation or earlier.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    replay = earlier.response
    if replay is None and earlier.answer_document and answer_of is not None:
        replay = answer_of(earlier.answer_document)
    assert replay is not None, "a committed record always has its answer"
    return Claim(record_id=earlier.id, replay=replay)


def idempotency_complete(*, claim: Claim, response: dict[str, Any]) -> None:
    """Store the answer itself (an enrolment's, or an earlier document's for a resent one)."""
    assert_in_transaction()
    sql_run(
        f"UPDATE {IdempotencyRecord._meta.db_table} SET response = %s, answer_document = NULL"  # noqa: S608
        " WHERE id = %s",
        [db_json(response), claim.record_id],
    )

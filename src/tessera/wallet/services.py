"""Opening and spending stored-value lots, inside the caller's transaction and under the member's account lock.

Lots say which store's money a member holds (models.StoredValueLot); the ledger's entries name that store when
the money is spent elsewhere, and settlement between stores adds those entries up (docs/settlement.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tessera.kit.db import Read, assert_in_transaction, db_datetime, sql_insert, sql_run
from tessera.wallet.models import StoredValueLot
from tessera.wallet.rules import OpenLot, Take

LOTS = StoredValueLot._meta.db_table
_COLUMNS = [
    "program_id", "member_id", "kind", "store_id", "source_type", "source_id", "amount_minor", "remaining_minor",
    "created_at",
]  # fmt: skip
PRINCIPAL, BONUS = StoredValueLot.Kind.PRINCIPAL.value, StoredValueLot.Kind.BONUS.value


def sv_lots_open_read(*, member_id: int) -> Read[list[OpenLot]]:
    """The member's lots that still hold value, oldest first.

    Sent with the member's account lock (``pos_write``'s reads), so it sees the lots as they stand under it.
    """
    return Read(
        f"SELECT l.id, l.kind, l.store_id, l.remaining_minor, l.source_id, s.merchant_id FROM {LOTS} l"  # noqa: S608
        " JOIN stores_store s ON s.id = l.store_id WHERE l.member_id = %s AND l.remaining_minor > 0 ORDER BY l.id",
        [member_id],
        _open_lots,
    )


def _open_lots(rows: list[tuple[Any, ...]]) -> list[OpenLot]:
    return [OpenLot(int(i), str(kind), int(store), int(left), str(source), int(merchant))
            for i, kind, store, left, source, merchant in rows]  # fmt: skip


def sv_lots_add(
    *,
    program_id: int,
    member_id: int,
    lots: Sequence[tuple[str, int, int]],
    source_type: str,
    source_id: str,
    now: datetime,
) -> None:
    """Open lots given as (kind, store id, amount); zero amounts open none. Writes only, so it pipelines."""
    assert_in_transaction()
    rows = [
        [program_id, member_id, kind, store_id, source_type, source_id, amount, amount, db_datetime(now)]
        for kind, store_id, amount in lots
        if amount > 0
    ]
    sql_insert(LOTS, _COLUMNS, rows)


def sv_lots_consume(takes: Sequence[Take]) -> None:
    """Apply ``takes`` (from ``rules.lots_take``); the CHECK constraint refuses a lot taken below zero."""
    assert_in_transaction()
    merged: dict[int, int] = {}
    for take in takes:
        merged[take.lot_id] = merged.get(take.lot_id, 0) + take.amount
    if not merged:
        return
    cases = " ".join(["WHEN %s THEN %s"] * len(merged))
    marks = ", ".join(["%s"] * len(merged))
    params = [n for pair in merged.items() for n in pair] + list(merged)
    sql_run(
        f"UPDATE {LOTS} SET remaining_minor = remaining_minor - CASE id {cases} ELSE 0 END"  # noqa: S608
        f" WHERE id IN ({marks})",
        params,
    )

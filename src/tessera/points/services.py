"""Creating and consuming points lots, inside the caller's transaction and under the member's account lock."""

from __future__ import annotations

from datetime import datetime

from tessera.kit.db import assert_in_transaction, db_datetime, sql_insert, sql_rows, sql_run
from tessera.ledger.errors import insufficient
from tessera.ledger.models import POINTS
from tessera.points.errors import points_not_shared
from tessera.points.models import PointsLot
from tessera.points.rules import ExpiryPolicy, RedeemOnly, consume_fifo, expiry_for
from tessera.programs.models import Program
from tessera.stores.models import Store

LOTS, STORES = PointsLot._meta.db_table, Store._meta.db_table
LOT_COLUMNS = [
    "program_id", "member_id", "store_id", "source_type", "source_id", "earned_at", "expires_at", "points", "remaining",
    "expired", "created_at",
]  # fmt: skip


def lot_add(
    *,
    program: Program,
    member_id: int,
    store_id: int,
    points: int,
    source_type: str,
    source_id: str,
    earned_at: datetime,
    now: datetime,
) -> None:
    """Credit a lot of ``points`` issued by ``store_id`` and earned at ``earned_at``, expiring per the programme's
    policy.

    Writes only (no answer awaited), so it can ride in the checkout's pipeline.
    """
    assert_in_transaction()
    assert points > 0
    expires_at = expiry_for(
        earned_at=earned_at, policy=ExpiryPolicy(program.points_expiry_policy), timezone=program.timezone,
        days=program.points_expiry_days, months=program.points_expiry_months,
    )  # fmt: skip
    row = [program.id, member_id, store_id, source_type, source_id, db_datetime(earned_at),
           db_datetime(expires_at), points, points, 0, db_datetime(now)]  # fmt: skip
    sql_insert(LOTS, LOT_COLUMNS, [row])


def _open_lots(
    member_id: int, now: datetime, prefer_source_id: str | None, only: RedeemOnly | None = None
) -> list[tuple[int, int, int | None]]:
    # Spendable lots in spending order: a preferred source first (a return takes back its own sale's points),
    # then earliest expiry, never-expiring last, oldest first. Lots past their expiry are not spendable even
    # before the nightly sweep has written them off. Where the alliance keeps points with their issuer, only
    # that merchant's lots (a lot from before stores were recorded is the card owner's).
    mine, params = "", [member_id, db_datetime(now)]
    if only is not None:
        mine = f" AND COALESCE((SELECT s.merchant_id FROM {STORES} s WHERE s.id = store_id), %s) = %s"  # noqa: S608
        params += [only.owner_id, only.merchant_id]
    rows = sql_rows(
        f"SELECT id, remaining, store_id FROM {LOTS} WHERE member_id = %s AND remaining > 0"  # noqa: S608
        f" AND (expires_at IS NULL OR expires_at > %s){mine}"
        " ORDER BY CASE WHEN source_id = %s THEN 0 ELSE 1 END,"
        " CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, id",
        [*params, prefer_source_id or ""],
    )
    return [(int(lot_id), int(left), None if store is None else int(store)) for lot_id, left, store in rows]


def points_available(*, member_id: int, now: datetime, only: RedeemOnly | None = None) -> int:
    """Points the member can spend now: unexpired lots (the balance may still hold lapsed, unswept points), of
    the issuing merchant only where ``only`` says so (``points_redeem_only``)."""
    return sum(remaining for _, remaining, _store in _open_lots(member_id, now, None, only))


def lots_consume(
    *, member_id: int, points: int, now: datetime, prefer_source_id: str | None = None, only: RedeemOnly | None = None
) -> list[tuple[int | None, int]]:
    """Take ``points`` from the member's lots in spending order; returns the points taken per issuing store.

    :raises InsufficientBalance: the unexpired lots hold fewer points.
    :raises PointsNotShared: they would be enough, but ``only`` keeps some with the merchant that issued them.
    """
    assert_in_transaction()
    if points <= 0:
        return []
    lots = _open_lots(member_id, now, prefer_source_id, only)
    available = sum(remaining for _, remaining, _store in lots)
    if available < points:
        if only is not None and points_available(member_id=member_id, now=now) >= points:
            raise points_not_shared(usable=available, requested=points)
        raise insufficient(available=available, requested=points, unit=POINTS)
    taken = consume_fifo([(lot_id, left) for lot_id, left, _store in lots], points)
    store_of = {lot_id: store for lot_id, _left, store in lots}
    per_store: dict[int | None, int] = {}
    for lot_id, take in taken:
        per_store[store_of[lot_id]] = per_store.get(store_of[lot_id], 0) + take
    cases = " ".join(["WHEN %s THEN %s"] * len(taken))
    marks = ", ".join(["%s"] * len(taken))
    params = [n for pair in taken for n in pair] + [lot_id for lot_id, _ in taken]
    sql_run(
        f"UPDATE {LOTS} SET remaining = remaining - CASE id {cases} ELSE 0 END WHERE id IN ({marks})",  # noqa: S608
        params,
    )
    return list(per_store.items())

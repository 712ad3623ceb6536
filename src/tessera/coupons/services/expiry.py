"""The nightly expiry: coupons past their end become expired, with an event each; set-based and resumable."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from tessera.coupons.models import Coupon, CouponEvent
from tessera.kit.db import db_datetime, sql_rows, sql_run, use_case

_C, _E = Coupon._meta.db_table, CouponEvent._meta.db_table
BATCH_SIZE = 5000
SYSTEM = "coupons.expiry"


def coupons_expire_run(*, program_id: int, local_date: date, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Expire the programme's open coupons whose validity ended by the start of ``local_date``.

    Each batch is one transaction: the rows are chosen, marked and given their events together, so a crash
    loses at most the batch under way and a rerun finds only what is still open. A coupon held by a checkout
    whose hold has not lapsed is left for the next run: no sale can use it (its validity ended), so this only
    delays the bookkeeping by a day. The event's time is the moment validity ended, so reruns are identical.
    """
    from tessera.programs.models import Program

    zone = ZoneInfo(Program.objects.values_list("timezone", flat=True).get(id=program_id))
    cutoff = db_datetime(datetime.combine(local_date, time(), tzinfo=zone))
    expired = batches = 0
    while True:
        with use_case():
            changed = _batch(program_id=program_id, cutoff=cutoff, batch_size=batch_size)
        expired += changed
        batches += 1
        if changed < batch_size:
            break
    return {"program_id": program_id, "local_date": local_date.isoformat(), "expired": expired, "batches": batches}


def _batch(*, program_id: int, cutoff: Any, batch_size: int) -> int:
    ids = [row[0] for row in sql_rows(
        f"SELECT id FROM {_C} WHERE program_id = %s AND valid_until <= %s"  # noqa: S608
        " AND (state = 'issued' OR (state = 'held' AND held_until <= %s)) ORDER BY id LIMIT %s",
        [program_id, cutoff, cutoff, batch_size],
    )]  # fmt: skip
    if not ids:
        return 0
    marks = ", ".join(["%s"] * len(ids))
    sql_run(
        f"UPDATE {_C} SET state = 'expired', hold_key = '', held_until = NULL, updated_at = valid_until"  # noqa: S608
        f" WHERE id IN ({marks})",
        ids,
    )
    sql_run(
        f"INSERT INTO {_E} (coupon_id, kind, system, document, discount_minor, at)"  # noqa: S608
        f" SELECT id, 'expired', %s, '', 0, valid_until FROM {_C} WHERE id IN ({marks})",
        [SYSTEM, *ids],
    )
    return len(ids)

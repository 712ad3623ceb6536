"""The nightly points expiry sweep: set-based SQL in batches of members, idempotent and resumable.

For the local date D the sweep writes off every lot whose expiry instant is at or before D's local midnight.
Each batch of members is one transaction: lock their points accounts, post one breakage posting per member
(member points down; up, the "points expired" account of each store that issued lapsing lots, one entry per
store, headquarters' for lots that name no store), move the cached balances, and zero the lots. A lot written
off has ``remaining = 0``, so a second run, or a run resumed after a crash (which loses at most the open batch),
finds nothing to do. Then members whose points expire within the reminder period get one "points.expiring"
outbox message per expiry date (deduplicated by key).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tessera.kit.clock import now as clock_now
from tessera.kit.db import db_datetime, for_update, sql_json_object, sql_json_param, sql_rows, sql_run, use_case
from tessera.ledger.models import POINTS, Account, AccountKind, Entry, Posting
from tessera.ledger.services import store_account_id
from tessera.members.models import Member
from tessera.messaging.jobs import register_job
from tessera.messaging.services import outbox_enqueue_select
from tessera.points.models import PointsLot
from tessera.points.rules import local_midnight
from tessera.programs.models import Program
from tessera.stores.selectors import headquarters_get

LOTS, ACCOUNTS = PointsLot._meta.db_table, Account._meta.db_table
POSTINGS, ENTRIES = Posting._meta.db_table, Entry._meta.db_table
# The lots of one programme that lapse by the cutoff, for members in one id range.
_DUE = (
    f" FROM {LOTS} l WHERE l.program_id = %s AND l.expires_at <= %s AND l.remaining > 0"
    " AND l.member_id BETWEEN %s AND %s"
)
_PER_MEMBER = f"(SELECT l.member_id, SUM(l.remaining) AS pts, MAX(l.id) AS last_lot {_DUE} GROUP BY l.member_id)"
# The same lots per member and issuing store; lots that name no store (opened before stores were recorded) count
# as headquarters' (the first parameter).
_PER_STORE = (
    "(SELECT d.member_id, d.store_id, SUM(d.remaining) AS pts FROM (SELECT l.member_id,"  # noqa: S608
    f" COALESCE(l.store_id, %s) AS store_id, l.remaining {_DUE}) d GROUP BY d.member_id, d.store_id)"
)
# A deterministic public id and key per member and sweep: the last lot's id never repeats.
_PUBLIC_ID = "'pst_e' || e.member_id || 'x' || e.last_lot"


def points_expiry_run(*, program_id: int, local_date: date, batch_size: int = 5_000) -> dict[str, Any]:
    """Expire the lots of ``program_id`` that lapse by ``local_date``'s local midnight; returns a summary."""
    program = Program.objects.get(id=program_id)
    cutoff = local_midnight(local_date, program.timezone)
    hq = headquarters_get(merchant_id=program.owner_id).id
    summary = {"members": 0, "points": 0, "batches": 0, "reminders": 0}
    start = 0
    while (batch := _next_batch(program_id, cutoff, start, batch_size)) is not None:
        low, high = batch
        members, points = _expire_batch(program, hq, (cutoff, local_date), low, high)
        summary["members"] += members
        summary["points"] += points
        summary["batches"] += 1
        start = high + 1
    summary["reminders"] = _remind(program, cutoff, clock_now())
    return summary


register_job("points.expiry", points_expiry_run)


def _next_batch(program_id: int, cutoff: datetime, start: int, size: int) -> tuple[int, int] | None:
    rows = sql_rows(
        f"SELECT MIN(member_id), MAX(member_id) FROM (SELECT DISTINCT member_id FROM {LOTS}"  # noqa: S608
        " WHERE program_id = %s AND expires_at <= %s AND remaining > 0 AND member_id >= %s"
        " ORDER BY member_id LIMIT %s) AS batch",
        [program_id, db_datetime(cutoff), start, size],
    )
    low, high = rows[0]
    return None if low is None else (int(low), int(high))


def _expire_batch(program: Program, hq: int, day: tuple[datetime, date], low: int, high: int) -> tuple[int, int]:
    cutoff, local_date = day  # the instant points lapse, and the local date the posting records as its source
    due = [program.id, db_datetime(cutoff), low, high]
    now = clock_now()
    with use_case():
        # Accounts first, in id order, as every other writer does: a till spending the same points waits here.
        sql_rows(
            f"SELECT a.id FROM {ACCOUNTS} a WHERE a.kind = %s AND a.member_id IN"  # noqa: S608
            f" (SELECT l.member_id {_DUE}) ORDER BY a.id{for_update()}",
            [AccountKind.MEMBER_POINTS, *due],
        )
        accounts = _expired_accounts(program.id, hq, due)
        totals = sql_rows(f"SELECT COUNT(*), COALESCE(SUM(e.pts), 0) FROM {_PER_MEMBER} e", due)  # noqa: S608
        _post_breakage(program, hq, cutoff, local_date, now, due, accounts)
        sql_run(
            f"UPDATE {LOTS} SET expired = expired + remaining, remaining = 0"  # noqa: S608
            " WHERE program_id = %s AND expires_at <= %s AND remaining > 0 AND member_id BETWEEN %s AND %s",
            due,
        )
    return int(totals[0][0]), int(totals[0][1])


def _expired_accounts(program_id: int, hq: int, due: list[Any]) -> dict[int, int]:
    """The "points expired" account of each store whose lots lapse in the batch, by store (opened on first use)."""
    rows = sql_rows(f"SELECT DISTINCT l.store_id {_DUE}", due)
    stores = sorted({hq if store is None else int(store) for (store,) in rows})
    kind = AccountKind.STORE_POINTS_EXPIRED
    return {store: store_account_id(program_id=program_id, store_id=store, kind=kind, unit=POINTS) for store in stores}


def _post_breakage(
    program: Program, hq: int, cutoff: datetime, local_date: date, now: datetime, due: list[Any],
    accounts: dict[int, int],
) -> None:  # fmt: skip
    """One posting per member, its entries, and the cached balances, each as one statement.

    Set-based, so it writes rows itself rather than through ``posting_write``: the same rows, which the tests
    check with ``ledger_verify``. Each member's new posting is found through the unique index on its public id,
    one lookup per member, never by scanning the postings table.
    """
    sql_run(
        f"INSERT INTO {POSTINGS} (public_id, program_id, store_id, reason, request_key, source_type, source_id,"  # noqa: S608
        " staff_id, terminal_id, system, event_at, created_at, reverses_id, details)"
        f" SELECT {_PUBLIC_ID}, %s, %s, 'expiry', 'expiry:' || e.member_id || ':' || e.last_lot, 'points_expiry',"
        f" %s, NULL, NULL, 'points.expiry', %s, %s, NULL, {sql_json_param()} FROM {_PER_MEMBER} e",
        [program.id, hq, local_date.isoformat(), db_datetime(cutoff), db_datetime(now),
         '{"rule": "points_expiry"}', *due],
    )  # fmt: skip
    _breakage_entries(hq, due, accounts)
    sql_run(
        f"UPDATE {ACCOUNTS} SET balance = balance - e.pts, version = version + 1 FROM {_PER_MEMBER} e"  # noqa: S608
        f" WHERE {ACCOUNTS}.member_id = e.member_id AND {ACCOUNTS}.kind = %s",
        [*due, AccountKind.MEMBER_POINTS],
    )


def _breakage_entries(hq: int, due: list[Any], accounts: dict[int, int]) -> None:
    """Each member's points account down by all that lapsed, and each issuing store's "points expired" account up
    by its lots' share, in one INSERT (so each posting balances within the statement, as PostgreSQL's trigger
    requires). The store entries name no origin: the points were the account's own store's, and breakage moves
    nothing between stores (docs/settlement.md)."""
    account_of = " ".join(["WHEN %s THEN %s"] * len(accounts))
    sql_run(
        f"WITH x AS (SELECT e.member_id, e.pts, (SELECT p.id FROM {POSTINGS} p WHERE p.public_id = {_PUBLIC_ID})"  # noqa: S608
        f" AS posting_id FROM {_PER_MEMBER} e) INSERT INTO {ENTRIES} (posting_id, account_id, unit, amount,"
        " balance_after) SELECT x.posting_id, a.id, 'PTS', -x.pts, a.balance - x.pts FROM x"
        f" JOIN {ACCOUNTS} a ON a.member_id = x.member_id AND a.kind = %s"
        f" UNION ALL SELECT x.posting_id, CASE s.store_id {account_of} END, 'PTS', s.pts, NULL"
        f" FROM {_PER_STORE} s JOIN x ON x.member_id = s.member_id",
        [*due, AccountKind.MEMBER_POINTS, *[n for pair in accounts.items() for n in pair], hq, *due],
    )


def _remind(program: Program, cutoff: datetime, now: datetime) -> int:
    """One "points.expiring" message per member and expiry instant within the reminder period. Reminders go to
    the member's phone, so members without one (imported from another system, ADR 0019) get none."""
    if program.points_expiry_reminder_days == 0:
        return 0
    horizon = cutoff + timedelta(days=program.points_expiry_reminder_days)
    payload = sql_json_object(
        [("member_id", "m.public_id"), ("program_id", "CAST(%s AS TEXT)"), ("points", "SUM(l.remaining)"),
         ("expires_at", "l.expires_at")]
    )  # fmt: skip
    with use_case():
        return outbox_enqueue_select(
            f"SELECT 'points.expiring', {payload}, m.locale,"  # noqa: S608
            " 'points.expiring:' || l.member_id || ':' || l.expires_at, %s, %s"
            f" FROM {LOTS} l JOIN {Member._meta.db_table} m ON m.id = l.member_id"
            " WHERE l.program_id = %s AND l.remaining > 0 AND l.expires_at > %s AND l.expires_at <= %s"
            " AND m.phone <> ''"
            " GROUP BY l.member_id, m.public_id, m.locale, l.expires_at",
            [program.public_id, db_datetime(now), db_datetime(now), program.id, db_datetime(cutoff),
             db_datetime(horizon)],
        )  # fmt: skip

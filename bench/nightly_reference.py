"""The hand-written references for bench/nightly.py, the figures expected from the data, and the checks.

Each reference is one SQL statement (data-modifying CTEs) that writes exactly what the job writes for the same
day, in one transaction, as fast as PostgreSQL can do it set-based with no batching. Rows are compared across
programme copies by *fingerprints*: order-independent sums of hashes over every column the job writes, with ids
replaced by the member's and lot's position in the copy, and timestamps of the run itself (``created_at``,
``updated_at``, ``available_at``) left out. Equal fingerprints mean the same lots, postings, entries, balances,
messages, tier places and tier events.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from nightly_data import REMINDER_DAYS, TIMEZONE, Copy, local_midnight

Row = tuple[Any, ...]

# The columns each fingerprint covers; ids become positions in the copy, and the run's own timestamps are left out.
_POSTING_COLUMNS = (
    "a.member_id - %(mb)s", "split_part(p.request_key, ':', 3)::bigint - %(lb)s",
    "p.public_id = 'pst_e' || a.member_id || 'x' || split_part(p.request_key, ':', 3)",
    "p.request_key = 'expiry:' || a.member_id || ':' || split_part(p.request_key, ':', 3)",
    "p.reason", "p.source_type", "p.source_id", "p.system", "p.event_at", "p.details::text", "p.store_id",
    "p.staff_id", "p.terminal_id", "p.reverses_id", "e.unit", "e.amount", "e.balance_after", "x.unit", "x.amount",
    "x.balance_after", "x.account_id = %(expired_account)s",
)  # fmt: skip
_REMINDER_COLUMNS = (
    "m.id - %(mb)s", "o.kind", "o.locale", "o.payload->>'member_id' = m.public_id", "o.payload->>'points'",
    "o.payload->>'expires_at'", "o.processed_at", "o.attempts",
    "substr(o.dedupe_key, length('points.expiring:' || m.id || ':') + 1)",
)  # fmt: skip
_RANK = "array_position(%(tiers)s::bigint[], {})"
_PLACE_COLUMNS = (
    "member_id - %(mb)s", _RANK.format("tier_id"), "since", "anchor_on", "window_start", "window_end", "points",
    "spend_minor", "stored_value_minor", "purchase_count", "lifetime_spend_minor", _RANK.format("pending_tier_id"),
    "pending_on",
)  # fmt: skip
_EVENT_COLUMNS = (
    "member_id - %(mb)s", _RANK.format("from_tier_id"), _RANK.format("to_tier_id"), "reason", "value",
    "second_value", "window_start", "window_end", "event_at",
)  # fmt: skip


# ---------------------------------------------------------------- points expiry

# A lot that still holds points has never been expired (expiry zeroes ``remaining``, and nothing raises it
# again), so its ``expired`` is 0 before the UPDATE and the value RETURNING gives is what this run expired.
EXPIRY_REFERENCE = """
WITH lots AS (
    UPDATE points_pointslot SET expired = expired + remaining, remaining = 0
    WHERE program_id = %(program)s AND expires_at <= %(cutoff)s AND remaining > 0
    RETURNING member_id, id, expired AS pts
), per AS (
    SELECT member_id, SUM(pts) AS pts, MAX(id) AS last_lot, nextval(pg_get_serial_sequence('ledger_posting', 'id'))
        AS posting_id
    FROM lots GROUP BY member_id
), balances AS (
    UPDATE ledger_account a SET balance = a.balance - per.pts, version = a.version + 1
    FROM per WHERE a.member_id = per.member_id AND a.kind = 'member_points'
    RETURNING a.id, a.member_id, a.balance
), postings AS (
    INSERT INTO ledger_posting (id, public_id, program_id, store_id, reason, request_key, source_type, source_id,
        staff_id, terminal_id, system, event_at, created_at, reverses_id, details)
    SELECT posting_id, 'pst_e' || member_id || 'x' || last_lot, %(program)s, %(hq)s, 'expiry',
        'expiry:' || member_id || ':' || last_lot, 'points_expiry', %(source_id)s, NULL, NULL, 'points.expiry',
        %(cutoff)s, %(now)s, NULL, '{"rule": "points_expiry"}'::jsonb
    FROM per
), entries AS (
    INSERT INTO ledger_entry (posting_id, account_id, unit, amount, balance_after)
    SELECT per.posting_id, b.id, 'PTS', -per.pts, b.balance FROM per JOIN balances b USING (member_id)
    UNION ALL
    SELECT posting_id, %(expired_account)s, 'PTS', pts, NULL FROM per
), reminders AS (
    INSERT INTO messaging_outboxmessage (kind, payload, locale, dedupe_key, available_at, created_at, attempts,
        last_error)
    SELECT 'points.expiring', json_build_object('member_id', m.public_id, 'program_id', %(public_id)s::text,
            'points', SUM(l.remaining), 'expires_at', l.expires_at), m.locale,
        'points.expiring:' || l.member_id || ':' || l.expires_at, %(now)s, %(now)s, 0, ''
    FROM points_pointslot l JOIN members_member m ON m.id = l.member_id
    WHERE l.program_id = %(program)s AND l.remaining > 0 AND l.expires_at > %(cutoff)s
        AND l.expires_at <= %(horizon)s
    GROUP BY l.member_id, m.public_id, m.locale, l.expires_at
    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM lots), (SELECT COUNT(*) FROM per), (SELECT COALESCE(SUM(pts), 0) FROM per),
    (SELECT COUNT(*) FROM reminders)
"""


def expiry_params(copy: Copy, day: date, now: datetime) -> dict[str, Any]:
    cutoff = local_midnight(day)
    return {
        "program": copy.program_id, "public_id": copy.public_id, "hq": copy.hq_store_id,
        "expired_account": copy.expired_account_id, "cutoff": cutoff, "now": now,
        "horizon": cutoff + timedelta(days=REMINDER_DAYS),
        # What the job records as the posting's source: the programme's local date it ran for.
        "source_id": day.isoformat(),
    }  # fmt: skip


def expiry_expected(conn: psycopg.Connection[Any], copy: Copy, day: date) -> dict[str, int]:
    """From the data alone: the lots, members and points that lapse by ``day``, and the reminders due."""
    p = expiry_params(copy, day, datetime.now(tz=UTC))
    lots, members, points = _one(
        conn,
        "SELECT COUNT(*), COUNT(DISTINCT member_id), COALESCE(SUM(remaining), 0) FROM points_pointslot"
        " WHERE program_id = %(program)s AND expires_at <= %(cutoff)s AND remaining > 0",
        p,
    )
    (reminders,) = _one(
        conn,
        "SELECT COUNT(*) FROM (SELECT DISTINCT member_id, expires_at FROM points_pointslot WHERE program_id ="
        " %(program)s AND remaining > 0 AND expires_at > %(cutoff)s AND expires_at <= %(horizon)s) AS r",
        p,
    )
    return {"lots": lots, "members": members, "points": int(points), "reminders": reminders}


def expiry_fingerprint(conn: psycopg.Connection[Any], copy: Copy) -> Row:
    """Lots, member points accounts, expiry postings with their entries, and reminders of one copy."""
    p = {"program": copy.program_id, "mb": copy.member_base, "lb": copy.lot_base, "public_id": copy.public_id,
         "expired_account": copy.expired_account_id}  # fmt: skip
    lots = _one(
        conn,
        "SELECT COUNT(*) FILTER (WHERE expired > 0), SUM(expired), SUM(remaining),"
        f" {_hash_sum('id - %(lb)s', 'remaining', 'expired', 'points', 'expires_at')}"
        " FROM points_pointslot WHERE program_id = %(program)s",
        p,
    )
    accounts = _one(
        conn,
        f"SELECT SUM(balance), SUM(version), {_hash_sum('member_id - %(mb)s', 'kind', 'balance', 'version')}"
        " FROM ledger_account WHERE program_id = %(program)s AND member_id IS NOT NULL",
        p,
    )
    postings = _one(
        conn,
        f"SELECT COUNT(*), {_hash_sum(*_POSTING_COLUMNS)}"
        " FROM ledger_posting p JOIN ledger_entry e ON e.posting_id = p.id"
        " JOIN ledger_account a ON a.id = e.account_id AND a.member_id IS NOT NULL"
        " JOIN ledger_entry x ON x.posting_id = p.id AND x.id <> e.id WHERE p.program_id = %(program)s",
        p,
    )
    reminders = _one(
        conn,
        f"SELECT COUNT(*), {_hash_sum(*_REMINDER_COLUMNS)}"
        " FROM messaging_outboxmessage o JOIN members_member m"
        " ON m.id = split_part(o.dedupe_key, ':', 2)::bigint"
        " WHERE o.kind = 'points.expiring' AND o.payload->>'program_id' = %(public_id)s",
        p,
    )
    return lots + accounts + postings + reminders


def expiry_checks(conn: psycopg.Connection[Any], copy: Copy, day: date, expected: dict[str, int]) -> list[str]:
    """After the job committed on ``copy``: what must hold. Returns the problems found (none: all is well)."""
    p = expiry_params(copy, day, datetime.now(tz=UTC))
    queries = {
        "lots still due": "SELECT COUNT(*) FROM points_pointslot WHERE program_id = %(program)s"
        " AND expires_at <= %(cutoff)s AND remaining > 0",
        "points accounts unequal to their lots": "SELECT COUNT(*) FROM ledger_account a LEFT JOIN"
        " (SELECT member_id, SUM(remaining) AS pts FROM points_pointslot WHERE program_id = %(program)s"
        " GROUP BY member_id) l USING (member_id) WHERE a.program_id = %(program)s AND a.kind = 'member_points'"
        " AND a.balance <> COALESCE(l.pts, 0)",
        "postings unbalanced per unit": "SELECT COUNT(*) FROM (SELECT e.posting_id FROM ledger_entry e"
        " JOIN ledger_posting p ON p.id = e.posting_id WHERE p.program_id = %(program)s"
        " GROUP BY e.posting_id, e.unit HAVING SUM(e.amount) <> 0) AS u",
        "postings without exactly two entries": "SELECT COUNT(*) FROM (SELECT p.id FROM ledger_posting p"
        " LEFT JOIN ledger_entry e ON e.posting_id = p.id WHERE p.program_id = %(program)s GROUP BY p.id"
        " HAVING COUNT(e.id) <> 2) AS u",
    }
    problems = [f"{name}: {n}" for name, sql in queries.items() if (n := _one(conn, sql, p)[0]) != 0]
    lots, points, postings, breakage = _one(
        conn,
        "SELECT (SELECT COUNT(*) FROM points_pointslot WHERE program_id = %(program)s AND expired > 0),"
        " (SELECT SUM(expired) FROM points_pointslot WHERE program_id = %(program)s),"
        " (SELECT COUNT(*) FROM ledger_posting WHERE program_id = %(program)s AND reason = 'expiry'),"
        " (SELECT SUM(amount) FROM ledger_entry WHERE account_id = %(expired_account)s)",
        p,
    )
    found = {"lots": lots, "points": int(points or 0), "members": postings, "breakage": int(breakage or 0)}
    wanted = {**expected, "breakage": expected["points"]}
    problems += [f"{key}: {found[key]}, expected {wanted[key]}" for key in found if found[key] != wanted[key]]
    return problems


# ---------------------------------------------------------------- tier evaluation


def _month_shift(anchor: str, months: str) -> str:
    """``anchor`` moved by whole months; a day the month lacks becomes the next month's first (as the job does)."""
    moved = f"({anchor} + make_interval(months => {months}))::date"
    return f"(CASE WHEN extract(day FROM {moved}) = extract(day FROM {anchor}) THEN {moved} ELSE {moved} + 1 END)"


def tier_reference(thresholds: list[int]) -> str:
    """Close every anniversary-year window of the diamonds ladder that ended by the day: one statement.

    The tier a window earns is the highest whose threshold the window's points reach (re-evaluate, no grace);
    a change is recorded as a TierEvent at the local midnight the window ended; the counters reset (lifetime
    spend stays) and the next anniversary year opens where the old one ended.
    """
    reached = " ".join(f"WHEN mt.points >= {t} THEN {r}" for r, t in reversed(list(enumerate(thresholds))) if r)
    reached = f"(CASE {reached} ELSE 0 END)"
    held = "(array_position(%(tiers)s::bigint[], mt.tier_id) - 1)"
    new_tier = f"(%(tiers)s::bigint[])[{reached} + 1]"
    ended_at = f"(mt.window_end::timestamp AT TIME ZONE '{TIMEZONE}')"
    months = "(extract(year FROM {0}) * 12 + extract(month FROM {0}))"
    years = f"(({months.format('mt.window_end')} - {months.format('mt.anchor_on')})::int / 12 + 1) * 12"
    due = "mt.ladder_id = %(ladder)s AND mt.window_end <= %(day)s"
    return f"""
WITH events AS (
    INSERT INTO tiers_tierevent (member_id, ladder_id, from_tier_id, to_tier_id, reason, value, second_value,
        window_start, window_end, event_at, created_at)
    SELECT mt.member_id, mt.ladder_id, mt.tier_id, {new_tier}, 'reevaluated', mt.points, NULL, mt.window_start,
        mt.window_end, {ended_at}, %(now)s
    FROM tiers_membertier mt WHERE {due} AND {reached} <> {held}
    RETURNING 1
), closed AS (
    UPDATE tiers_membertier mt SET tier_id = {new_tier},
        since = CASE WHEN {reached} <> {held} THEN {ended_at} ELSE mt.since END,
        window_start = mt.window_end, window_end = {_month_shift("mt.anchor_on", years)},
        points = 0, spend_minor = 0, stored_value_minor = 0, purchase_count = 0,
        pending_tier_id = NULL, pending_on = NULL, updated_at = %(now)s
    WHERE {due}
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM closed), (SELECT COUNT(*) FROM events)
"""


def tier_thresholds(conn: psycopg.Connection[Any], copy: Copy) -> list[int]:
    settings = _one(
        conn,
        "SELECT measure, second_measure, window_kind, downgrade, grace_days FROM tiers_tierladder WHERE id = %s",
        [copy.ladder_id],
    )
    # The reference is written for the diamonds ladder (seed 002); another ladder needs another statement.
    assert settings == ("points_in_window", None, "anniversary_year", "reevaluate", 0), settings
    rows = conn.execute("SELECT threshold FROM tiers_tier WHERE ladder_id = %s ORDER BY rank", [copy.ladder_id])
    return [int(r[0]) for r in rows.fetchall()]


def tier_params(copy: Copy, day: date, now: datetime) -> dict[str, Any]:
    return {"ladder": copy.ladder_id, "day": day, "now": now, "tiers": list(copy.tier_ids)}


def tier_expected(conn: psycopg.Connection[Any], copy: Copy, day: date, thresholds: list[int]) -> dict[str, int]:
    """Windows due by ``day`` and how many of them change the tier, from the data and the thresholds alone."""
    reached = " + ".join(f"(points >= {t})::int" for t in thresholds[1:])
    due, changes = _one(
        conn,
        f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {reached} <> array_position(%(tiers)s::bigint[], tier_id) - 1)"
        " FROM tiers_membertier WHERE ladder_id = %(ladder)s AND window_end <= %(day)s",
        tier_params(copy, day, datetime.now(tz=UTC)),
    )
    return {"due": due, "changes": changes}


def tier_fingerprint(conn: psycopg.Connection[Any], copy: Copy) -> Row:
    p = {"ladder": copy.ladder_id, "mb": copy.member_base, "tiers": list(copy.tier_ids)}
    places = _one(
        conn,
        f"SELECT COUNT(*), {_hash_sum(*_PLACE_COLUMNS)} FROM tiers_membertier WHERE ladder_id = %(ladder)s",
        p,
    )
    events = _one(
        conn,
        f"SELECT COUNT(*), {_hash_sum(*_EVENT_COLUMNS)} FROM tiers_tierevent WHERE ladder_id = %(ladder)s",
        p,
    )
    return places + events


def tier_checks(conn: psycopg.Connection[Any], copy: Copy, day: date) -> list[str]:
    (left,) = _one(
        conn,
        "SELECT COUNT(*) FROM tiers_membertier WHERE ladder_id = %(ladder)s AND window_end <= %(day)s",
        tier_params(copy, day, datetime.now(tz=UTC)),
    )
    return [f"windows still due: {left}"] if left else []


# ---------------------------------------------------------------- helpers


def _hash_sum(*columns: str) -> str:
    """An order-independent fingerprint of rows: the sum of a 64-bit hash of each row's listed values."""
    row = ", ".join(f"COALESCE(({c})::text, '-')" for c in columns)
    return f"COALESCE(SUM(hashtextextended(concat_ws('|', {row}), 7)::numeric), 0)"


def _one(conn: psycopg.Connection[Any], sql: str, params: Any) -> Row:
    row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return tuple(row)

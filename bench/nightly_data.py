"""Data for bench/nightly.py: a clothing chain whose members, accounts, lots and tier places are bulk-written.

The merchant, its store, the programmes, the tier ladders and the headquarters' "points expired" accounts are
made through Tessera's own services. Everything per member is written with set-based SQL (``generate_series``)
straight into the tables, several million rows a minute, because a million members through ``member_enroll``
and a sale each would take hours. Every programme gets the same members (member ``k`` of each has the same
card date, lots, counters and tier), so the job and the reference can each work on their own identical copy.

Per member ``k`` (0-based; ids are the copy's base id plus ``k``):

- card date ``D - 481 - (37 k mod 1825)`` days (1.3 to 6.3 years before the evaluation date ``D``);
- four accounts as ``member_accounts_open`` makes them (points: floor 0; debt: ceiling 0; stored value
  principal and bonus: floor 0), the points balance being the sum of the member's remaining lot points;
- ten lots, lot ``j`` earned ``o = (7 k + 53 j) mod 480`` days before ``D`` and expiring 365 days after the
  local earning date (the programme's ``days_after_earning`` policy), so lots with ``o >= 366`` (23.75 %)
  lapse by ``D``'s local midnight and lots with ``336 <= o <= 365`` (6.25 %) expire within the 30-day reminder
  period; ``points = 10 + (31 k + 17 j) mod 491``; by ``(k + 3 j) mod 10`` a lot is spent (0: remaining 0),
  half spent (1, 2) or untouched;
- a place on the diamonds ladder (seed 002) in the anniversary-year window that was current ``LAG_DAYS``
  before ``D``, as if evaluation last ran then: a member whose anniversary fell in the last ``LAG_DAYS`` days
  has a window ending by ``D`` (about a third of them). Window points ``(7919 k) mod 60000``; the tier held is
  the higher of rank ``(13 k + 7) mod 5`` (kept from the previous window) and the rank the points reach, so a
  window end moves down every member whose points no longer reach the tier held.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

TIMEZONE = "Asia/Shanghai"
CURRENCY = "CNY"
LOTS_PER_MEMBER = 10
EXPIRY_DAYS = 365
REMINDER_DAYS = 30
LAG_DAYS = 120
CARD_AGE_MIN, CARD_AGE_SPREAD = 481, 1825
TIER_POINTS_SPREAD = 60_000


@dataclass(frozen=True)
class Copy:
    """One programme holding the whole member set: where its rows start, so rows of two copies can be matched."""

    program_id: int
    public_id: str
    hq_store_id: int
    expired_account_id: int
    ladder_id: int
    tier_ids: tuple[int, ...]
    member_base: int  # member k has id member_base + k
    lot_base: int  # lot j of member k has id lot_base + 10 k + j
    tag: str


def org_create(copies: int) -> tuple[list[dict[str, Any]], int]:
    """Merchant, store and ``copies`` programmes with the diamonds ladder, through the services (Django set up)."""
    from tessera.blueprints.seeds import diamonds_ladder
    from tessera.kit.db import use_case
    from tessera.ledger.models import POINTS, AccountKind
    from tessera.ledger.services import store_account_id
    from tessera.programs.models import Program
    from tessera.programs.services import program_create
    from tessera.stores.models import Store
    from tessera.stores.services import merchant_create, store_create
    from tessera.tiers.services import tier_ladder_load

    merchant = merchant_create(name="Qinghe Apparel", country="CN", timezone=TIMEZONE, currency=CURRENCY)
    store = store_create(merchant=merchant, code="SH001", name="Qinghe Shanghai 1")
    hq = Store.objects.get(merchant=merchant, kind=Store.Kind.HEADQUARTERS)
    out = []
    for n in range(copies):
        program = program_create(
            owner=merchant,
            name=f"Qinghe Club, copy {n + 1}",
            points_expiry_policy=Program.ExpiryPolicy.DAYS_AFTER_EARNING,
            points_expiry_days=EXPIRY_DAYS,
            points_expiry_reminder_days=REMINDER_DAYS,
        )
        ladder = tier_ladder_load(program=program, spec=diamonds_ladder())
        with use_case():
            expired = store_account_id(
                program_id=program.id, store_id=hq.id, kind=AccountKind.STORE_POINTS_EXPIRED, unit=POINTS
            )
        tier_ids = tuple(ladder.tiers.order_by("rank").values_list("id", flat=True))
        out.append(
            {"program_id": program.id, "public_id": program.public_id, "hq": hq.id, "expired": expired,
             "ladder_id": ladder.id, "tier_ids": tier_ids}
        )  # fmt: skip
    return out, store.id


def anchor_windows(day: date) -> list[tuple[date, date, date]]:
    """(card date, window start, window end) for every card date in use, from the job's own window rules."""
    from tessera.tiers.rules import WindowKind
    from tessera.tiers.rules.windows import window_containing

    last_run = day - timedelta(days=LAG_DAYS)
    rows = []
    for age in range(CARD_AGE_MIN, CARD_AGE_MIN + CARD_AGE_SPREAD):
        anchor = day - timedelta(days=age)
        start, end = window_containing(WindowKind.ANNIVERSARY_YEAR, None, anchor, last_run)
        assert end is not None
        rows.append((anchor, start, end))
    return rows


def _local(day_sql: str, clock: str = "00:00") -> str:
    """SQL for the instant a local date expression reaches ``clock`` in the programme's time zone."""
    return f"(({day_sql})::timestamp + time '{clock}') AT TIME ZONE '{TIMEZONE}'"


def load_copy(
    conn: psycopg.Connection[Any], org: dict[str, Any], *, store_id: int, members: int, day: date, tag: str
) -> tuple[Copy, dict[str, float]]:
    """Write one copy's members, lots, accounts and tier places; returns the copy and seconds per table."""
    timings: dict[str, float] = {}
    member_base = _next_id(conn, "members_member")
    lot_base = _next_id(conn, "points_pointslot")
    p: dict[str, Any] = {"n": members, "mb": member_base, "lb": lot_base, "program": org["program_id"],
                         "store": store_id, "tag": tag, "day": day, "ladder": org["ladder_id"],
                         "tiers": list(org["tier_ids"])}  # fmt: skip
    card_day = f"(%(day)s::date - {CARD_AGE_MIN} - (k * 37) %% {CARD_AGE_SPREAD})"
    steps = {
        "members": f"""
            INSERT INTO members_member (id, public_id, program_id, phone, name, birthday, gender, locale, email,
                status, card_number, card_code, enrolled_at, card_valid_until, enrolled_store_id, updated_at)
            SELECT %(mb)s + k, 'mbr_' || %(tag)s || lpad(k::text, 25, '0'), %(program)s,
                '+86139' || lpad(k::text, 8, '0'), 'Member ' || k, NULL, '',
                CASE WHEN k %% 2 = 0 THEN 'zh-hans' ELSE 'en' END, NULL, 'active',
                %(tag)s || lpad(k::text, 15, '0'), 'bench' || %(tag)s || lpad(k::text, 26, '0'),
                {_local(card_day, "10:30")}, NULL, %(store)s, now()
            FROM generate_series(0, %(n)s - 1) AS k""",
        "lots": f"""
            INSERT INTO points_pointslot (id, program_id, member_id, source_type, source_id, earned_at, expires_at,
                points, remaining, expired, created_at)
            SELECT %(lb)s + {LOTS_PER_MEMBER} * k + j, %(program)s, %(mb)s + k, 'sale',
                'doc_bench' || %(tag)s || k || '_' || j, earned, expires, pts,
                CASE (k + 3 * j) %% 10 WHEN 0 THEN 0 WHEN 1 THEN pts / 2 WHEN 2 THEN pts / 2 ELSE pts END, 0, earned
            FROM generate_series(0, %(n)s - 1) AS k, generate_series(0, {LOTS_PER_MEMBER - 1}) AS j,
                LATERAL (SELECT (7 * k + 53 * j) %% 480 AS o, 10 + (31 * k + 17 * j) %% 491 AS pts) AS f,
                LATERAL (SELECT {_local("%(day)s::date - f.o", "12:00")} AS earned,
                                {_local(f"%(day)s::date - f.o + {EXPIRY_DAYS + 1}")} AS expires) AS t""",
        "accounts": """
            INSERT INTO ledger_account (program_id, member_id, store_id, kind, unit, balance, floor, ceiling,
                version, created_at)
            SELECT %(program)s, m.member_id, NULL, a.kind, a.unit,
                CASE WHEN a.kind = 'member_points' THEN m.pts ELSE 0 END, a.lo, a.hi, 0, now()
            FROM (SELECT member_id, SUM(remaining) AS pts FROM points_pointslot WHERE program_id = %(program)s
                  GROUP BY member_id) AS m,
                (VALUES (1, 'member_points', 'PTS', 0, NULL::bigint), (2, 'member_points_debt', 'PTS', NULL, 0),
                        (3, 'member_sv_principal', 'CNY', 0, NULL), (4, 'member_sv_bonus', 'CNY', 0, NULL))
                    AS a (n, kind, unit, lo, hi)
            ORDER BY m.member_id, a.n""",
        "tiers": f"""
            INSERT INTO tiers_membertier (member_id, ladder_id, tier_id, since, anchor_on, window_start, window_end,
                points, spend_minor, stored_value_minor, purchase_count, lifetime_spend_minor, pending_tier_id,
                pending_on, created_at, updated_at)
            SELECT %(mb)s + k, %(ladder)s, (%(tiers)s::bigint[])[1 + GREATEST((13 * k + 7) %% 5, q.r)],
                {_local("w.window_start")}, w.anchor, w.window_start, w.window_end, q.pts, q.pts * 100, 0,
                q.pts / 200, q.pts * 300, NULL, NULL, now(), now()
            FROM generate_series(0, %(n)s - 1) AS k
            JOIN bench_anchor_window w ON w.anchor = {card_day},
            LATERAL (SELECT (7919 * k::bigint) %% {TIER_POINTS_SPREAD} AS pts) AS c,  -- 7919 k overflows int
            LATERAL (SELECT c.pts, CASE WHEN c.pts >= 50000 THEN 4 WHEN c.pts >= 30000 THEN 3
                                        WHEN c.pts >= 20000 THEN 2 WHEN c.pts >= 10000 THEN 1 ELSE 0 END AS r) AS q
            ORDER BY k""",
    }
    for name, sql in steps.items():
        started = time.perf_counter()
        conn.execute(sql, p)  # type: ignore[arg-type]
        timings[f"load_{name}_s"] = time.perf_counter() - started
    copy = Copy(org["program_id"], org["public_id"], org["hq"], org["expired"], org["ladder_id"],
                tuple(org["tier_ids"]), member_base, lot_base, tag)  # fmt: skip
    return copy, timings


def anchors_table(conn: psycopg.Connection[Any], day: date) -> None:
    """The per-card-date windows as a temporary table the tier rows join (a few thousand rows)."""
    conn.execute("CREATE TEMP TABLE bench_anchor_window (anchor date PRIMARY KEY, window_start date, window_end date)")
    with conn.cursor().copy("COPY bench_anchor_window FROM STDIN") as copy:
        for row in anchor_windows(day):
            copy.write_row(row)


def _next_id(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


def sequences_reset(conn: psycopg.Connection[Any]) -> None:
    """Move the id sequences past the explicit ids written, so later inserts by Tessera do not collide."""
    for table in ("members_member", "points_pointslot"):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # type: ignore[arg-type]
        )


def load(url: str, orgs: list[dict[str, Any]], *, store_id: int, members: int, day: date) -> tuple[list[Copy], dict]:
    """Load every copy in one session; foreign-key triggers are skipped when the role may (rows are built valid)."""
    timings: dict[str, float] = {}
    copies = []
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '1GB'")
        try:
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute("SET session_replication_role = replica")
            timings["load_fk_checks_skipped"] = 1.0
        except psycopg.Error:
            timings["load_fk_checks_skipped"] = 0.0
        anchors_table(conn, day)
        for n, org in enumerate(orgs):
            copy, spent = load_copy(conn, org, store_id=store_id, members=members, day=day, tag=chr(ord("a") + n))
            copies.append(copy)
            for key, value in spent.items():
                timings[key] = timings.get(key, 0.0) + value
            conn.commit()
        sequences_reset(conn)
        conn.commit()
    return copies, timings


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, dtime(0), tzinfo=ZoneInfo(TIMEZONE))

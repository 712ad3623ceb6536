"""Data for bench/settlement.py: a 200-store chain whose members, accounts, postings and entries are bulk-written.

The merchant (its headquarters store comes with it), its 200 stores, the programme and the stores' programme
accounts are made through Tessera's own services (``merchant_create``, ``store_create``, ``program_create``,
``store_account_id``). Members, their four accounts, the postings and their entries are written with set-based
SQL (``generate_series``) straight into the tables: ten million postings through the till services would take
days.

Posting ``k`` (0-based over the whole load, id ``posting_base + k``) is recorded ``(k - before + 0.5) * r``
seconds after the month's first instant in Asia/Shanghai, ``r`` being the month's length over its postings. So
ids grow with time, the ``before`` postings fall in the last hours of the month before and the ``after``
postings in the first hours of the month after, at the month's own rate, right up to both boundaries. What
each posting is comes from ``t = 61 k mod 100`` (so every hundred postings hold the exact mix) and two 63-bit
hashes of ``k`` (``h``, ``g``: ``hashint8extended``) that pick the store, the member, the amounts and whether
the value spent came from another store:

By ``t`` (entries credit positive; ``x`` an amount, ``p`` points):

- 0-54, 55 %: sale partly paid from stored value (reason ``sale``): member principal -x, store_sv_principal_out
  +x with another store as origin in 30 % of them, store_points_issued -p, member points +p;
- 55-74, 20 %: cash sale (``sale``): store_points_issued -p, member points +p;
- 75-86, 12 %: top-up (``top_up``), a tenth of them at headquarters: member principal +x,
  store_sv_principal_in -x, and for a third of them member bonus +x/10, store_sv_bonus_in -x/10;
- 87-91, 5 %: sale spending bonus (``sale``): member bonus -x, store_sv_bonus_out +x (origin in 40 %),
  store_points_issued -p, member points +p;
- 92-96, 5 %: points redemption (``redemption``): member points -x, store_points_redeemed +x (origin in 40 %);
- 97-99, 3 %: return (``return``): member principal +x, store_sv_principal_out -x (origin in 30 %),
  store_points_issued +p, member points -p.

That is 3.33 entries a posting on average. Sales, redemptions and returns are at one of the 200 stores; an
origin is any other store of the chain, headquarters included (its online top-ups). Each posting's entries sum
to zero per unit. Every posting has a unique ``public_id`` and ``(store, request_key)``, ``system = 'bench'``
as its actor and ``'{}'`` as details; entries carry no ``balance_after``.

The members' cached balances are left at 0 and their lots (``wallet``, ``points``) are not written: the
settlement reads only entries, so the ledger's own invariants (``tessera ledger verify``: balances equal to
entries, lots equal to balances) do not hold here and are not checked.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

TIMEZONE = "Asia/Shanghai"
CURRENCY = "CNY"
STORES = 200
YEAR, MONTH = 2026, 11
CHUNK = 2_000_000  # postings (and their entries) per INSERT statement

# Store account kinds the postings use, opened for every store (headquarters included) through the service.
STORE_KINDS = (
    "store_sv_principal_in",
    "store_sv_principal_out",
    "store_sv_bonus_in",
    "store_sv_bonus_out",
    "store_points_issued",
    "store_points_redeemed",
)


@dataclass(frozen=True)
class Org:
    merchant_id: int
    program_id: int
    hq_store_id: int
    store_ids: tuple[int, ...]  # index 0 is headquarters, 1..200 the stores
    accounts: dict[str, tuple[int, ...]]  # store account ids by kind, in store_ids' order


@dataclass(frozen=True)
class Loaded:
    members: int
    postings: int  # all of them
    month_postings: int  # inside the month
    before: int
    after: int
    entries: int
    posting_base: int  # posting k has id posting_base + k
    first_month_posting_id: int
    last_month_posting_id: int


def org_create(stores: int = STORES) -> Org:
    """The merchant, its stores, the programme and the stores' accounts, through the services (Django set up)."""
    from tessera.kit.db import use_case
    from tessera.ledger.models import POINTS, AccountKind
    from tessera.ledger.services import store_account_id
    from tessera.programs.services import program_create
    from tessera.stores.models import Store
    from tessera.stores.services import merchant_create, store_create

    merchant = merchant_create(name="Qinghe Apparel", country="CN", timezone=TIMEZONE, currency=CURRENCY)
    hq = Store.objects.get(merchant=merchant, kind=Store.Kind.HEADQUARTERS)
    rows = [hq] + [
        store_create(merchant=merchant, code=f"SH{n:03d}", name=f"Qinghe Shanghai {n}") for n in range(1, stores + 1)
    ]
    program = program_create(owner=merchant, name="Qinghe Club")
    accounts: dict[str, tuple[int, ...]] = {}
    with use_case():
        for kind in STORE_KINDS:
            unit = POINTS if kind.startswith("store_points") else CURRENCY
            accounts[kind] = tuple(
                store_account_id(program_id=program.id, store_id=s.id, kind=AccountKind(kind), unit=unit) for s in rows
            )
    return Org(merchant.id, program.id, hq.id, tuple(s.id for s in rows), accounts)


def month_bounds() -> tuple[datetime, datetime]:
    zone = ZoneInfo(TIMEZONE)
    return datetime(YEAR, MONTH, 1, tzinfo=zone), datetime(YEAR + MONTH // 12, MONTH % 12 + 1, 1, tzinfo=zone)


# Per posting k: its kind c (0 stored-value sale, 1 cash sale, 2 top-up, 3 bonus sale, 4 redemption, 5 return),
# store index s (0 is headquarters), origin store index o (NULL: the store's own value), member m, amounts.
_POSTING = f"""
    CROSS JOIN LATERAL (SELECT (k * 61) %% 100 AS t,
                               hashint8extended(k, 0) & 9223372036854775807 AS h,
                               hashint8extended(k, 1) & 9223372036854775807 AS g OFFSET 0) AS r
    CROSS JOIN LATERAL (SELECT CASE WHEN r.t < 55 THEN 0 WHEN r.t < 75 THEN 1 WHEN r.t < 87 THEN 2
                                    WHEN r.t < 92 THEN 3 WHEN r.t < 97 THEN 4 ELSE 5 END AS c,
                               r.g %% %(members)s AS m, r.g / 1000003 AS a OFFSET 0) AS q
    CROSS JOIN LATERAL (SELECT CASE WHEN q.c = 2 AND (r.h / {STORES}) %% 10 = 0 THEN 0
                                    ELSE 1 + r.h %% {STORES} END AS s,
                               CASE q.c WHEN 0 THEN 30 WHEN 3 THEN 40 WHEN 4 THEN 40 WHEN 5 THEN 30 ELSE 0 END
                                   AS origin_share,
                               CASE q.c WHEN 0 THEN 500 + q.a %% 50000 WHEN 1 THEN 0
                                        WHEN 2 THEN 10000 * (1 + q.a %% 20) WHEN 3 THEN 100 + q.a %% 5000
                                        WHEN 4 THEN 100 + q.a %% 2000 ELSE 500 + q.a %% 20000 END AS x,
                               1 + (q.a / 7) %% 500 AS p OFFSET 0) AS f
    CROSS JOIN LATERAL (SELECT CASE WHEN (r.h / 2000) %% 100 < f.origin_share
                                    THEN (f.s + 1 + (r.h / 200000) %% {STORES}) %% {STORES + 1} END AS o,
                               CASE WHEN q.c = 2 AND (q.a / 50) %% 3 = 0 THEN f.x / 10 END AS bonus,
                               %(account_base)s + 4 * q.m AS ma OFFSET 0) AS v"""

POSTINGS_SQL = f"""
    INSERT INTO ledger_posting (id, public_id, reason, request_key, source_type, source_id, system, event_at,
        created_at, details, program_id, reverses_id, staff_id, store_id, terminal_id)
    SELECT %(posting_base)s + k, 'pst_b' || lpad(k::text, 25, '0'), w.reason, 'bench-' || k, w.reason,
        'doc_b' || lpad(k::text, 25, '0'), 'bench', w.at - interval '1 second', w.at, '{{}}'::jsonb,
        %(program)s, NULL, NULL, (%(stores)s::bigint[])[1 + f.s], NULL
    FROM generate_series(%(k0)s::bigint, %(k1)s::bigint - 1) AS k
    {_POSTING}
    CROSS JOIN LATERAL (SELECT CASE q.c WHEN 2 THEN 'top_up' WHEN 4 THEN 'redemption' WHEN 5 THEN 'return'
                                        ELSE 'sale' END AS reason,
                               %(month_start)s::timestamptz
                                   + make_interval(secs => (k - %(before)s + 0.5) * %(seconds_each)s) AS at) AS w"""

# Four entry slots per posting; a slot whose account is NULL is not written. Member accounts of member m are
# account_base + 4 m + (0 points, 1 points debt, 2 principal, 3 bonus).
ENTRIES_SQL = f"""
    INSERT INTO ledger_entry (posting_id, account_id, unit, amount, balance_after, origin_store_id)
    SELECT %(posting_base)s + k, e.account_id, e.unit, e.amount, NULL, e.origin
    FROM generate_series(%(k0)s::bigint, %(k1)s::bigint - 1) AS k
    {_POSTING}
    CROSS JOIN LATERAL (SELECT (%(principal_in)s::bigint[])[1 + f.s] AS pin,
                               (%(principal_out)s::bigint[])[1 + f.s] AS pout,
                               (%(bonus_in)s::bigint[])[1 + f.s] AS bin,
                               (%(bonus_out)s::bigint[])[1 + f.s] AS bout,
                               (%(points_issued)s::bigint[])[1 + f.s] AS piss,
                               (%(points_redeemed)s::bigint[])[1 + f.s] AS pred,
                               (%(stores)s::bigint[])[1 + v.o] AS origin OFFSET 0) AS acc
    CROSS JOIN LATERAL (VALUES
        (1, CASE q.c WHEN 0 THEN v.ma + 2 WHEN 1 THEN acc.piss WHEN 2 THEN v.ma + 2 WHEN 3 THEN v.ma + 3
                     WHEN 4 THEN v.ma WHEN 5 THEN v.ma + 2 END,
            CASE WHEN q.c IN (1, 4) THEN 'PTS' ELSE 'CNY' END,
            CASE q.c WHEN 0 THEN -f.x WHEN 1 THEN -f.p WHEN 2 THEN f.x WHEN 3 THEN -f.x WHEN 4 THEN -f.x
                     ELSE f.x END,
            NULL::bigint),
        (2, CASE q.c WHEN 0 THEN acc.pout WHEN 1 THEN v.ma WHEN 2 THEN acc.pin WHEN 3 THEN acc.bout
                     WHEN 4 THEN acc.pred WHEN 5 THEN acc.pout END,
            CASE WHEN q.c IN (1, 4) THEN 'PTS' ELSE 'CNY' END,
            CASE q.c WHEN 0 THEN f.x WHEN 1 THEN f.p WHEN 2 THEN -f.x WHEN 3 THEN f.x WHEN 4 THEN f.x
                     ELSE -f.x END,
            acc.origin),
        (3, CASE WHEN q.c IN (0, 3, 5) THEN acc.piss WHEN q.c = 2 AND v.bonus IS NOT NULL THEN v.ma + 3 END,
            CASE WHEN q.c = 2 THEN 'CNY' ELSE 'PTS' END,
            CASE WHEN q.c = 2 THEN v.bonus WHEN q.c = 5 THEN f.p ELSE -f.p END,
            NULL),
        (4, CASE WHEN q.c IN (0, 3, 5) THEN v.ma WHEN q.c = 2 AND v.bonus IS NOT NULL THEN acc.bin END,
            CASE WHEN q.c = 2 THEN 'CNY' ELSE 'PTS' END,
            CASE WHEN q.c = 2 THEN -v.bonus WHEN q.c = 5 THEN -f.p ELSE f.p END,
            NULL)
    ) AS e (slot, account_id, unit, amount, origin)
    WHERE e.account_id IS NOT NULL"""

MEMBERS_SQL = f"""
    INSERT INTO members_member (id, public_id, program_id, phone, name, birthday, gender, locale, email, status,
        card_number, card_code, enrolled_at, card_valid_until, enrolled_store_id, updated_at)
    SELECT %(member_base)s + m, 'mbr_b' || lpad(m::text, 25, '0'), %(program)s, '+86139' || lpad(m::text, 8, '0'),
        'Member ' || m, NULL, '', CASE WHEN m %% 2 = 0 THEN 'zh-hans' ELSE 'en' END, NULL, 'active',
        'b' || lpad(m::text, 15, '0'), 'bench' || lpad(m::text, 27, '0'), %(month_start)s::timestamptz
            - make_interval(days => 1 + m %% 700), NULL, (%(stores)s::bigint[])[2 + m %% {STORES}], now()
    FROM generate_series(0, %(members)s - 1) AS m"""

ACCOUNTS_SQL = """
    INSERT INTO ledger_account (id, program_id, member_id, store_id, kind, unit, balance, floor, ceiling, version,
        created_at)
    SELECT %(account_base)s + 4 * m + a.n, %(program)s, %(member_base)s + m, NULL, a.kind, a.unit, 0, a.lo, a.hi,
        0, now()
    FROM generate_series(0, %(members)s - 1) AS m,
        (VALUES (0, 'member_points', 'PTS', 0, NULL::bigint), (1, 'member_points_debt', 'PTS', NULL, 0),
                (2, 'member_sv_principal', 'CNY', 0, NULL), (3, 'member_sv_bonus', 'CNY', 0, NULL))
            AS a (n, kind, unit, lo, hi)
    ORDER BY m, a.n"""


def _next_id(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


LOADED_TABLES = ("ledger_posting", "ledger_entry")


def secondary_indexes(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the loaded tables' indexes other than their primary keys: plain indexes as
    ``CREATE INDEX`` statements, unique constraints as ``ALTER TABLE ... ADD CONSTRAINT`` clauses."""
    return [
        (str(table), str(name), str(definition))
        for table, name, definition in conn.execute(
            "SELECT c.relname, i.relname, CASE WHEN con.oid IS NULL THEN pg_get_indexdef(x.indexrelid)"
            "  ELSE 'ALTER TABLE ' || quote_ident(c.relname) || ' ADD CONSTRAINT ' || quote_ident(con.conname)"
            "       || ' ' || pg_get_constraintdef(con.oid) END"
            " FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid"
            " LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid"
            " WHERE c.relname = ANY(%s) AND NOT x.indisprimary ORDER BY 1, 2",
            [list(LOADED_TABLES)],
        ).fetchall()
    ]


def _index_drop(conn: psycopg.Connection[Any], table: str, name: str, definition: str) -> None:
    if definition.startswith("ALTER TABLE"):
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')  # type: ignore[arg-type]
    else:
        conn.execute(f'DROP INDEX "{name}"')  # type: ignore[arg-type]


def _session(url: str) -> tuple[psycopg.Connection[Any], bool]:
    """A loading connection; True if it skips triggers (foreign-key checks and the balance trigger)."""
    conn = psycopg.connect(url)
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET enable_memoize = off")  # nothing to reuse: every row's lateral inputs differ
    conn.execute("SET maintenance_work_mem = '1GB'")
    try:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("SET session_replication_role = replica")
        skipped = True
    except psycopg.Error:
        skipped = False
    conn.commit()
    return conn, skipped


def load(
    url: str, org: Org, *, postings: int, members: int, outside_share: float = 0.02, log: Any = None
) -> tuple[Loaded, dict[str, float]]:
    """Write the members, their accounts and ``postings`` postings in the month (plus ``outside_share`` of that
    in each neighbouring month) with their entries; returns what was written and seconds per step.

    Foreign-key checks and the per-statement balance trigger are skipped when the role may set
    ``session_replication_role`` (the rows are built valid; the caller checks the balance on a sample). Then
    two sessions load at once, each table in order: one the members, accounts and postings, the other the
    entries. The postings' and entries' indexes other than their primary keys are dropped for the load and
    built again after it from their own definitions (twice as fast as maintaining them row by row), and
    checked to be all back.
    """
    before = after = round(postings * outside_share)
    total = before + postings + after
    month_start, month_end = month_bounds()
    timings: dict[str, float] = {}
    conn, skipped = _session(url)
    with conn:
        timings["load_triggers_skipped"] = float(skipped)
        p: dict[str, Any] = {
            "program": org.program_id,
            "members": members,
            "member_base": _next_id(conn, "members_member"),
            "account_base": _next_id(conn, "ledger_account"),
            "posting_base": _next_id(conn, "ledger_posting"),
            "stores": list(org.store_ids),
            "principal_in": list(org.accounts["store_sv_principal_in"]),
            "principal_out": list(org.accounts["store_sv_principal_out"]),
            "bonus_in": list(org.accounts["store_sv_bonus_in"]),
            "bonus_out": list(org.accounts["store_sv_bonus_out"]),
            "points_issued": list(org.accounts["store_points_issued"]),
            "points_redeemed": list(org.accounts["store_points_redeemed"]),
            "month_start": month_start,
            "before": before,
            "seconds_each": (month_end - month_start).total_seconds() / postings,
        }
        indexes = secondary_indexes(conn)
        for index in indexes:
            _index_drop(conn, *index)
        conn.commit()
        chunks = [p | {"k0": k0, "k1": min(k0 + CHUNK, total)} for k0 in range(0, total, CHUNK)]

        def timed(c: psycopg.Connection[Any], key: str, sql: str, params: dict[str, Any]) -> int:
            started = time.perf_counter()
            rows = c.execute(sql, params).rowcount  # type: ignore[arg-type]
            c.commit()
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - started
            return rows

        def members_and_postings(c: psycopg.Connection[Any]) -> None:
            timed(c, "load_members_s", MEMBERS_SQL, p)
            timed(c, "load_accounts_s", ACCOUNTS_SQL, p)
            for chunk in chunks:
                timed(c, "load_postings_s", POSTINGS_SQL, chunk)

        def entries(c: psycopg.Connection[Any]) -> int:
            written = 0
            for chunk in chunks:
                written += timed(c, "load_entries_s", ENTRIES_SQL, chunk)
                if log is not None:
                    log(f"loaded the entries of postings {chunk['k1']:,} of {total:,}")
            return written

        started = time.perf_counter()
        if skipped:  # entries may land before their postings: nothing checks until the end
            other, _ = _session(url)
            with other, ThreadPoolExecutor(max_workers=1) as pool:
                side = pool.submit(members_and_postings, other)
                entry_count = entries(conn)
                side.result()
        else:
            members_and_postings(conn)
            entry_count = entries(conn)
        timings["load_rows_s"] = time.perf_counter() - started
        started = time.perf_counter()
        for _table, _name, definition in indexes:
            conn.execute(definition)  # type: ignore[arg-type]
            conn.commit()
        timings["load_indexes_s"] = time.perf_counter() - started
        if secondary_indexes(conn) != indexes:
            raise RuntimeError("the postings' and entries' indexes did not all come back after the load")
        for table in ("members_member", "ledger_account", "ledger_posting"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # type: ignore[arg-type]
            )
        conn.commit()
    base = p["posting_base"]
    loaded = Loaded(members, total, postings, before, after, entry_count, base, base + before,
                    base + before + postings - 1)  # fmt: skip
    return loaded, timings


BALANCE_SAMPLE = 200_000


def unbalanced_postings(conn: psycopg.Connection[Any], loaded: Loaded) -> int:
    """How many of the month's first ``BALANCE_SAMPLE`` postings do not sum to zero per unit (0 expected)."""
    row = conn.execute(
        "SELECT COUNT(*) FROM (SELECT posting_id FROM ledger_entry WHERE posting_id BETWEEN %s AND %s"
        " GROUP BY posting_id, unit HAVING SUM(amount) <> 0) AS bad",
        [loaded.first_month_posting_id, loaded.first_month_posting_id + BALANCE_SAMPLE - 1],
    ).fetchone()
    assert row is not None
    return int(row[0])

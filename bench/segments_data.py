"""Data for bench/segments.py: members, their purchases and returns, and the running statistics made from them.

The merchant (Asia/Shanghai, CNY; its headquarters store comes with it) and the programme are made through
Tessera's services. Everything else is written with set-based SQL (``generate_series``):

- ``members`` members of the programme, all active, enrolled at headquarters.
- Each member m gets a weight ``w_m = max(1, round(1000 exp(1.3 z_m)))``, z_m standard normal (Box-Muller on two
  hashes of m: ``hashint8extended``), so purchase counts are log-normal: a few heavy buyers, many light ones.
  Transaction numbers 0 .. ``transactions`` - 1 are dealt out in member order, member m taking
  ``floor(N W_(m-1) / W) .. floor(N W_m / W) - 1`` (W_m the running sum of the weights, W the total): exactly
  ``transactions`` rows, about ``N w_m / W`` each; a member with a small weight can get none.
- Member m is active from ``join`` to ``stop`` days before the data end (the last second of the day before the
  load, local time): join uniform over 730 days, stop a cube of a uniform times join, so most still buy lately
  and some stopped long ago. Transaction k falls uniformly in that span, to the microsecond.
- One transaction in 20 is a return (``kind = 'return'``), the rest sales; a sale is worth 5 to 305 yuan times
  the member's basket factor (0.5 to 2.0), a return 5 to 205 yuan, in fen; 1 to 5 items.

The transactions go into a plain table, ``bench_transaction (document_id, member_id, kind, event_at,
value_minor, items)``, in two sessions at once. ``members_memberstats`` is then filled from it by one aggregate, as
checkout's running totals would stand after those documents: purchases, returns, items, spend and refunds
summed, the first and last purchase the earliest and latest sale (returns do not move them), and a row of
zeros for a member without transactions; the purchase before the last is the latest sale before the last one
(no two of a member's sales share a microsecond here), and every row names the programme, as enrolment does.
Both sides of the benchmark therefore read the same data: Tessera the statistics, the reference the transactions
(exported to Parquet by ``export``).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

TIMEZONE = "Asia/Shanghai"
CURRENCY = "CNY"
SPAN_DAYS = 730
MEMBER_CHUNK = 100_000  # members per transactions INSERT


@dataclass(frozen=True)
class Loaded:
    program_id: int
    members: int
    transactions: int
    data_end: datetime  # the last instant any transaction may have
    today: date  # the programme-local date of the load


def org_create() -> tuple[int, int, int]:
    """The merchant, its headquarters and the programme, through the services: (merchant, store, programme) ids."""
    from tessera.programs.services import program_create
    from tessera.stores.models import Store
    from tessera.stores.services import merchant_create

    merchant = merchant_create(name="Qinghe Apparel", country="CN", timezone=TIMEZONE, currency=CURRENCY)
    hq = Store.objects.get(merchant=merchant, kind=Store.Kind.HEADQUARTERS)
    program = program_create(owner=merchant, name="Qinghe Club")
    return merchant.id, hq.id, program.id


def _hash_unit(expr: str, seed: int) -> str:
    """A uniform number in (0, 1] from a 63-bit hash of the bigint ``expr``."""
    return f"(((hashint8extended({expr}, {seed}) & 9223372036854775807) + 1) / 9223372036854775808.0)"


MEMBERS_SQL = """
    INSERT INTO members_member (id, public_id, program_id, phone, name, birthday, gender, locale, email, status,
        card_number, card_code, enrolled_at, card_valid_until, enrolled_store_id, updated_at)
    SELECT %(member_base)s + m, 'mbr_s' || lpad(m::text, 25, '0'), %(program)s, '+86139' || lpad(m::text, 8, '0'),
        'Member ' || m, NULL, '', CASE WHEN m %% 2 = 0 THEN 'zh-hans' ELSE 'en' END, NULL, 'active',
        's' || lpad(m::text, 15, '0'), 'segments' || lpad(m::text, 24, '0'),
        %(data_end)s::timestamptz - make_interval(days => 731), NULL, %(store)s, now()
    FROM generate_series(0, %(members)s - 1) AS m"""

PLAN_TABLE = (
    "CREATE UNLOGGED TABLE bench_member_plan (m bigint, member_id bigint, k0 bigint, k1 bigint,"
    " join_s double precision, stop_s double precision, basket bigint)"
)
PLAN_SQL = f"""
    INSERT INTO bench_member_plan
    SELECT m, %(member_base)s + m AS member_id,
        div(%(transactions)s * (SUM(w) OVER (ORDER BY m) - w), SUM(w) OVER ())::bigint AS k0,
        div(%(transactions)s * SUM(w) OVER (ORDER BY m), SUM(w) OVER ())::bigint AS k1,
        join_s, join_s * stop * stop * stop, basket
    FROM (SELECT m,
                 greatest(1, round(1000 * exp(1.3 * sqrt(-2 * ln({_hash_unit("m", 1)}))
                                               * cos(2 * pi() * {_hash_unit("m", 2)}))))::bigint AS w,
                 {SPAN_DAYS} * 86400 * {_hash_unit("m", 3)} AS join_s, {_hash_unit("m", 4)} AS stop,
                 50 + (hashint8extended(m, 5) & 9223372036854775807) %% 151 AS basket
          FROM generate_series(0, %(members)s - 1) AS m) AS weights"""

TRANSACTIONS_SQL = f"""
    INSERT INTO bench_transaction (document_id, member_id, kind, event_at, value_minor, items)
    SELECT k, p.member_id, CASE WHEN t.h %% 20 = 0 THEN 'return' ELSE 'sale' END,
        %(data_end)s::timestamptz - make_interval(secs => p.stop_s + (p.join_s - p.stop_s) * t.u),
        CASE WHEN t.h %% 20 = 0 THEN 500 + t.h %% 20000 ELSE (500 + t.h %% 30000) * p.basket / 100 END,
        1 + (t.h / 20) %% 5
    FROM bench_member_plan p
    CROSS JOIN LATERAL generate_series(p.k0, p.k1 - 1) AS k
    CROSS JOIN LATERAL (SELECT hashint8extended(k, 7) & 9223372036854775807 AS h,
                               {_hash_unit("k", 8)} AS u OFFSET 0) AS t
    WHERE p.m >= %(m0)s AND p.m < %(m1)s"""

STATS_SQL = """
    WITH a AS (
        SELECT member_id,
               MIN(event_at) FILTER (WHERE kind = 'sale') AS first_at,
               MAX(event_at) FILTER (WHERE kind = 'sale') AS last_at,
               COUNT(*) FILTER (WHERE kind = 'sale') AS purchases,
               COUNT(*) FILTER (WHERE kind = 'return') AS returns,
               SUM(items) FILTER (WHERE kind = 'sale') AS items_bought,
               SUM(items) FILTER (WHERE kind = 'return') AS items_returned,
               SUM(value_minor) FILTER (WHERE kind = 'sale') AS spend,
               SUM(value_minor) FILTER (WHERE kind = 'return') AS refund
        FROM bench_transaction GROUP BY member_id
    ), before_last AS (
        SELECT t.member_id, MAX(t.event_at) AS previous_at
        FROM bench_transaction t JOIN a ON a.member_id = t.member_id
        WHERE t.kind = 'sale' AND t.event_at < a.last_at GROUP BY t.member_id
    )
    INSERT INTO members_memberstats (member_id, program_id, first_purchase_at, last_purchase_at,
        previous_purchase_at, purchase_count, return_count, items_bought, items_returned, spend_minor, refund_minor,
        top_up_count, top_up_minor, points_earned, points_taken_back)
    SELECT mm.id, mm.program_id, a.first_at, a.last_at, b.previous_at,
        COALESCE(a.purchases, 0), COALESCE(a.returns, 0), COALESCE(a.items_bought, 0), COALESCE(a.items_returned, 0),
        COALESCE(a.spend, 0), COALESCE(a.refund, 0), 0, 0, 0, 0
    FROM members_member mm
    LEFT JOIN a ON a.member_id = mm.id
    LEFT JOIN before_last b ON b.member_id = mm.id
    WHERE mm.program_id = %(program)s"""


def data_window(now: datetime) -> tuple[date, datetime]:
    """The programme-local date of ``now`` and the last second of the day before it."""
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=ZoneInfo(TIMEZONE))
    return today, midnight - timedelta(seconds=1)


def _session(url: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url)
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET work_mem = '512MB'")  # the statistics aggregate: a million groups in memory
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.commit()
    return conn


TRANSACTION_TABLE = (
    "CREATE TABLE bench_transaction (document_id bigint NOT NULL, member_id bigint NOT NULL,"
    " kind text NOT NULL, event_at timestamptz NOT NULL, value_minor bigint NOT NULL, items int NOT NULL)"
)


class _Timer:
    """Runs one statement per call on a connection, commits it and adds its seconds under a key."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def __call__(self, conn: psycopg.Connection[Any], key: str, sql: str, params: dict[str, Any]) -> None:
        started = time.perf_counter()
        conn.execute(sql, params)  # type: ignore[arg-type]
        conn.commit()
        self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - started


def load(url: str, *, program_id: int, store_id: int, members: int, transactions: int, now: datetime,
         log: Any) -> tuple[Loaded, dict[str, float]]:  # fmt: skip
    """Write the members, the transactions and the statistics; returns what was written and seconds per step."""
    today, data_end = data_window(now)
    timed = _Timer()
    with _session(url) as conn:
        row = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM members_member").fetchone()
        assert row is not None
        p = {"member_base": row[0], "program": program_id, "store": store_id, "members": members,
             "transactions": transactions, "data_end": data_end}  # fmt: skip
        timed(conn, "load_members_s", MEMBERS_SQL, p)
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('members_member', 'id'), (SELECT MAX(id) FROM members_member))"
        )
        conn.execute(PLAN_TABLE)
        timed(conn, "load_plan_s", PLAN_SQL, p)
        conn.execute(TRANSACTION_TABLE)
        conn.commit()
        _transactions_write(url, conn, p, timed, log)
        timed(conn, "load_stats_s", STATS_SQL, p)
        count = conn.execute("SELECT COUNT(*) FROM bench_transaction").fetchone()
        assert count is not None
        conn.execute("DROP TABLE bench_member_plan")
        conn.commit()
    return Loaded(program_id, members, int(count[0]), data_end, today), timed.timings


def _transactions_write(url: str, conn: psycopg.Connection[Any], p: dict[str, Any], timed: _Timer, log: Any) -> None:
    """The transactions, by chunks of members, in two sessions at once (this one and another)."""
    members = p["members"]
    chunks = [p | {"m0": m0, "m1": m0 + MEMBER_CHUNK} for m0 in range(0, members, MEMBER_CHUNK)]

    def write(c: psycopg.Connection[Any], part: list[dict[str, Any]]) -> None:
        for chunk in part:
            timed(c, "load_transactions_s", TRANSACTIONS_SQL, chunk)
            log(f"transactions of members {chunk['m0']:,} to {min(chunk['m1'], members):,} written")

    started = time.perf_counter()
    with _session(url) as other, ThreadPoolExecutor(max_workers=1) as pool:
        side = pool.submit(write, other, chunks[1::2])
        write(conn, chunks[0::2])
        side.result()
    timed.timings["load_transactions_wall_s"] = time.perf_counter() - started
    timed.timings.pop("load_transactions_s")


EXPORT_SQL = (
    "COPY (SELECT document_id, member_id, kind,"
    " to_char(event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), value_minor, items"
    " FROM bench_transaction ORDER BY event_at, document_id) TO STDOUT (FORMAT csv)"
)


def export(url: str, parquet: Path) -> dict[str, float]:
    """Write the transactions to ``parquet`` in time order, as a till system's export would list them: streamed
    from PostgreSQL as CSV to a file beside it, which DuckDB turns into Parquet (zstd) and which is then removed."""
    import duckdb

    timings: dict[str, float] = {}
    csv_path = parquet.with_suffix(".csv")
    started = time.perf_counter()
    with (
        psycopg.connect(url) as conn,
        conn.cursor() as cursor,
        csv_path.open("wb") as out,
        cursor.copy(EXPORT_SQL) as copy,  # type: ignore[arg-type]
    ):
        for block in copy:
            out.write(block)
    timings["export_csv_s"] = time.perf_counter() - started
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header = false, columns = {{'document_id': 'BIGINT',"
        " 'member_id': 'BIGINT', 'kind': 'VARCHAR', 'event_at': 'TIMESTAMPTZ', 'value_minor': 'BIGINT',"
        f" 'items': 'INTEGER'}})) TO '{parquet}' (FORMAT parquet, COMPRESSION zstd)"
    )
    con.close()
    csv_path.unlink()
    timings["export_parquet_s"] = time.perf_counter() - started
    return timings

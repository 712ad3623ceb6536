"""The reference of bench/segments.py: DuckDB computing the RFM scores from the Parquet export of the transactions.

Usage (bench/segments.py starts it, one process per run, so its memory is measured apart)::

    python bench/segments_reference.py --parquet T.parquet --reference-date 2026-12-05 --out R.parquet

What an analyst would write: per member, purchases (sales), net spend (sales less returns) and the last sale,
from the transactions themselves; recency in days from the sale's local date in Asia/Shanghai to the reference
date; members with at least one sale; then each score by Tessera's rule (docs/analytics.md, "Quintile scores
and ties"), written here from ranks rather than cuts: with ``rank()`` (1 + the members with a smaller value) and
the last positions b_k of NTILE(5)'s first four buckets (k n // 5 + min(k, n % 5)), a member scores 1 + the
number of b_k below their rank, so that equal values share a score; R turned round. The same definitions as
Tessera's, on the raw transactions instead of the running statistics. ``seconds`` is the statement that builds
the scores table in DuckDB's memory, all of it; writing it to ``--out`` for the check comes after and is not
timed. Prints one JSON line, with the statement's CPU time (all threads) and the process's peak resident set
(VmHWM).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import duckdb


def _score(rank: str) -> str:
    """1 + the number of NTILE(5) bucket ends (among n ranks) below ``rank``."""
    ends = " + ".join(f"CAST({rank} > {k} * (n // 5) + least({k}, n % 5) AS INTEGER)" for k in range(1, 5))
    return f"1 + {ends}"


REFERENCE = f"""
    CREATE TABLE scores AS
    WITH per_member AS (
        SELECT member_id,
               count(*) FILTER (WHERE kind = 'sale') AS frequency,
               sum(CASE WHEN kind = 'sale' THEN value_minor ELSE -value_minor END) AS monetary_minor,
               max(event_at) FILTER (WHERE kind = 'sale') AS last_at
        FROM read_parquet($parquet)
        GROUP BY member_id
    ), scored AS (
        SELECT member_id, frequency, monetary_minor,
               date_diff('day', CAST(timezone($timezone, last_at) AS DATE), $reference_date) AS recency_days
        FROM per_member
        WHERE frequency > 0
    ), ranked AS (
        SELECT member_id, recency_days, frequency, monetary_minor, count(*) OVER () AS n,
               rank() OVER (ORDER BY recency_days) AS r_rank,
               rank() OVER (ORDER BY frequency) AS f_rank,
               rank() OVER (ORDER BY monetary_minor) AS m_rank
        FROM scored
    )
    SELECT member_id, recency_days, frequency, monetary_minor,
           6 - ({_score("r_rank")}) AS r_score, {_score("f_rank")} AS f_score, {_score("m_rank")} AS m_score
    FROM ranked"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parquet", type=Path, required=True)
    parser.add_argument("--reference-date", type=date.fromisoformat, required=True)
    parser.add_argument("--timezone", default="Asia/Shanghai")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    params = {"parquet": str(args.parquet), "timezone": args.timezone, "reference_date": args.reference_date}
    started, cpu = time.perf_counter(), time.process_time()
    con.execute(REFERENCE, params)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu  # CPU: all of DuckDB's threads
    (rows,) = con.execute("SELECT COUNT(*) FROM scores").fetchone() or (0,)
    con.execute(f"COPY (SELECT * FROM scores ORDER BY member_id) TO '{args.out}' (FORMAT parquet)")
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    # VmHWM, not ru_maxrss: the latter carries over the parent's peak from before the exec.
    hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    report = {"seconds": seconds, "cpu_s": cpu, "rows": rows, "peak_kib": int(hwm.split()[1]),
              "duckdb": duckdb.__version__, "threads": threads[0] if threads else None}  # fmt: skip
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

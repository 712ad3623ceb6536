"""Segments benchmark (issue 6): Tessera's RFM run on PostgreSQL against DuckDB on a Parquet export of the same data.

Usage::

    .venv/bin/pip install -e '.[bench]'              # duckdb and pyarrow, once
    .venv/bin/python bench/segments.py                # full run: 1,000,000 members, 20,000,000 transactions
    .venv/bin/python bench/segments.py --quick        # 50,000 members, 1,000,000 transactions, under two minutes
    .venv/bin/python bench/segments.py --explain /tmp/segments   # also the plans of the run's slow statements

One run, in this order: start a throwaway PostgreSQL cluster (unless ``--database-url`` names a server, where one
database is created and dropped again), migrate a fresh database, create a merchant in Asia/Shanghai (CNY) and
its programme through Tessera's services, bulk-write the members, the transactions and the members' running
statistics made from them (``segments_data.py`` says exactly what), VACUUM (FREEZE, ANALYZE) and CHECKPOINT, and
export the transactions to Parquet in time order.

Two things are then measured on the same data in the same run:

- **Tessera**: ``tessera.analytics.services.rfm_run_create`` for the programme, as the nightly job calls it, in
  this process: read the scored members' statistics once, learn the lifecycle thresholds and each score's cuts,
  score every member with a purchase (R, F, M, working group, stage) in NumPy and count them into the run's
  cells (the segment, group and stage counts), write the run and its cells, commit. No row per member.
- **the reference**: DuckDB computing the same R, F and M scores from the Parquet transactions
  (``segments_reference.py``: aggregate per member, then the same score rule), in a process of its own so that
  each side's memory is measured apart.

Each Tessera call needs a reference date it has not scored: the warm-up (one untimed run of each side) uses the
programme-local day after today, round n the n-th day after that, the reference the same date. Rounds alternate
which side goes first; every timed run starts after VACUUM ANALYZE of the analytics tables and a CHECKPOINT.
After each round both sides' scores are compared for every member (``checks: ok``; Tessera's computed by
``analytics.selectors.rfm_scores``, the SQL over the statistics and the run), and the run's segment counts
against the reference's scores.

Memory, sampled every 20 ms during each Tessera run: this process's private memory (RssAnon: Django and the
client) and PostgreSQL's, the sum of the cluster's processes' RssAnon (only for a cluster this run started);
the reference process's peak resident set (VmHWM, which it reads after its query; ``ru_maxrss`` would carry
this process's peak over the exec). Prints ``key: value`` lines; the last is ``ratio``:
the mean Tessera time over the mean reference time. CPU seconds of both sides are printed too (Tessera's client
and backend, DuckDB's threads), as a busy machine inflates them far less than wall time. Target (issue 6):
ratio <= 1.0 and <= 2 GiB peak.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

try:
    import duckdb  # noqa: F401  (the reference process imports it; fail here, with the way out)
    import numpy
    import psycopg
    import pyarrow.csv
    import pyarrow.parquet
except ImportError as missing:
    sys.exit(
        f"bench/segments.py needs the 'bench' extra ({missing.name} is missing): .venv/bin/pip install -e '.[bench]'"
    )

import fixtures  # noqa: E402
import procstat  # noqa: E402
import segments_data as data  # noqa: E402
from harness import admin, bench_run, connect, emit, log, slow_statement_plans  # noqa: E402

PG_SETTINGS = {
    "shared_buffers": "2GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "1h",
    "max_connections": "50",
}
RATIO_TARGET = 1.0
MEMORY_TARGET_MIB = 2048
TOUCHED = ("analytics_rfmrun", "analytics_rfmcell")
SCORE_COLUMNS = ("member_id", "recency_days", "frequency", "monetary_minor", "r_score", "f_score", "m_score")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Tessera's RFM run against DuckDB on the same transactions.")
    parser.add_argument("--quick", action="store_true", help="50,000 members, 1,000,000 transactions")
    parser.add_argument("--members", type=int, help="members (default 1,000,000)")
    parser.add_argument("--transactions", type=int, help="transactions (default 20 a member)")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds, order alternated (default 2)")
    parser.add_argument("--database-url", help="use this PostgreSQL server instead of a throwaway cluster")
    parser.add_argument("--explain", type=Path, help="write the plans of the run's slow statements here")
    args = parser.parse_args()
    args.members = args.members or (50_000 if args.quick else 1_000_000)
    args.transactions = args.transactions or 20 * args.members
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


@dataclass
class Run:
    seconds: float
    reference_date: date
    cpu_s: float = 0.0
    memory_mib: float = 0.0  # PostgreSQL's private memory (Tessera) or the process's peak (reference)
    process_mib: float = 0.0  # Tessera: this process's private memory during the call
    run_id: int = 0
    scores: Any = None  # the reference's scores as a pyarrow table
    server_cpu_s: float = 0.0  # Tessera: the PostgreSQL backend's CPU during the call (the reference: 0)


def _backend_cpu_s(pid: int) -> float:
    """User and system CPU of a process on this machine so far (``/proc/PID/stat``), 0 if it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(url: str) -> None:
    admin(url, *(f"VACUUM (ANALYZE) {table}" for table in TOUCHED), "CHECKPOINT")


def tessera_run(loaded: data.Loaded, day: date, postmaster: int | None) -> Run:
    from django.db import connection

    from tessera.analytics.services import rfm_run_create
    from tessera.programs.models import Program

    program = Program.objects.get(id=loaded.program_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    sampler = procstat.MemoryPeak(postmaster).start() if postmaster else None
    own = procstat.MemoryPeak(os.getpid()).start()
    server = _backend_cpu_s(backend)
    cpu, started = time.process_time(), time.perf_counter()
    run = rfm_run_create(program=program, reference_date=day, now=datetime.now(tz=UTC))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    server = _backend_cpu_s(backend) - server
    own.stop()
    if sampler is not None:
        sampler.stop()
    postgres_mib = (sampler.peak_kib / 1024) if sampler else 0.0
    return Run(seconds, day, cpu, postgres_mib, process_mib=own.peak_kib / 1024, run_id=run.id, server_cpu_s=server)


def reference_run(parquet: Path, day: date, home: Path) -> Run:
    out = home / f"reference-{day}.parquet"
    command = [sys.executable, str(HERE / "segments_reference.py"), "--parquet", str(parquet),
               "--reference-date", day.isoformat(), "--timezone", data.TIMEZONE, "--out", str(out)]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    stdout = child.stdout.read() if child.stdout else ""
    child.wait()
    if child.returncode != 0:
        raise RuntimeError(f"the reference failed ({child.returncode}): {stdout}")
    report = json.loads(stdout.strip().splitlines()[-1])
    scores = pyarrow.parquet.read_table(out)
    out.unlink()
    return Run(report["seconds"], day, report["cpu_s"], memory_mib=report["peak_kib"] / 1024, scores=scores)


def tessera_scores(url: str, run_id: int) -> Any:
    """The run's scores, ordered by member, as a pyarrow table: ``selectors.rfm_scores``, the SQL over the
    statistics that the segment builder filters with, copied out as CSV and parsed by Arrow."""
    from tessera.analytics.models import RfmRun
    from tessera.analytics.selectors import rfm_scores

    query = rfm_scores(run=RfmRun.objects.get(id=run_id)).order_by("member_id").values_list(*SCORE_COLUMNS)
    sql, params = query.query.sql_with_params()
    buffer = io.BytesIO()
    with contextlib.closing(connect(url)) as conn:
        select = psycopg.ClientCursor(conn).mogrify(sql, params)
        with conn.cursor() as cursor, cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:  # type: ignore[arg-type]
            for block in copy:
                buffer.write(block)
        conn.rollback()
    buffer.seek(0)
    options = pyarrow.csv.ReadOptions(column_names=list(SCORE_COLUMNS))
    return pyarrow.csv.read_csv(buffer, read_options=options)


def compare(url: str, tessera: Run, reference: Run) -> list[str]:
    """Every member's values and scores equal on both sides, and the run's segment counts equal the reference's."""
    from tessera.analytics.models import RfmRun
    from tessera.analytics.rules import segment_of
    from tessera.analytics.selectors import rfm_segment_counts

    ours, theirs = tessera_scores(url, tessera.run_id), reference.scores
    problems = []
    if ours.num_rows != theirs.num_rows:
        problems.append(f"{tessera.reference_date}: Tessera scored {ours.num_rows}, the reference {theirs.num_rows}")
    else:
        for column in SCORE_COLUMNS:
            mine, other = ours.column(column).to_numpy(), theirs.column(column).to_numpy()
            if (different := int((mine != other).sum())) != 0:
                problems.append(f"{tessera.reference_date}: {column} differs for {different} members")
    cells = theirs.column("r_score").to_numpy() * 10 + theirs.column("f_score").to_numpy()
    expected: dict[str, int] = {}
    for cell, members in zip(*numpy.unique(cells, return_counts=True), strict=True):
        name = segment_of(int(cell) // 10, int(cell) % 10).name.lower()
        expected[name] = expected.get(name, 0) + int(members)
    got = {c.code: c.members for c in rfm_segment_counts(run=RfmRun.objects.get(id=tessera.run_id)) if c.members}
    if got != expected:
        problems.append(f"{tessera.reference_date}: segment counts {got}, from the reference's scores {expected}")
    return problems


# ---------------------------------------------------------------- main


def setup(args: argparse.Namespace, url: str, home: Path) -> tuple[data.Loaded, Path]:
    started = time.perf_counter()
    fixtures.django_setup(database_url=url, home=home)
    fixtures.migrate()
    _merchant, store, program = data.org_create()
    fixtures.close_connections()
    emit("setup_migrate_and_services_s", f"{time.perf_counter() - started:.1f}")
    loaded, timings = data.load(url, program_id=program, store_id=store, members=args.members,
                                transactions=args.transactions, now=datetime.now(tz=UTC), log=log)  # fmt: skip
    started = time.perf_counter()
    admin(url, "VACUUM (FREEZE, ANALYZE)", "CHECKPOINT")
    timings["vacuum_freeze_s"] = time.perf_counter() - started
    parquet = home / "transactions.parquet"
    timings |= data.export(url, parquet)
    for key, value in timings.items():
        emit(key, f"{value:.1f}")
    return loaded, parquet


def main() -> int:
    args = parse_args()
    with bench_run("segments", args.database_url, PG_SETTINGS) as run:
        emit("load_average_at_start", " ".join(f"{x:.2f}" for x in os.getloadavg()))
        started = time.perf_counter()
        loaded, parquet = setup(args, run.url, run.home)
        emit("setup_s", f"{time.perf_counter() - started:.1f}")
        postmaster = _postmaster_pid(run.cluster.datadir) if run.cluster else None
        return measure(args, run.url, run.home, loaded, parquet, postmaster)
    return 1  # not reached: the with block returns


def _postmaster_pid(datadir: Path) -> int | None:
    try:
        return int((datadir / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None  # the cluster runs as another user whose files this process cannot read


def sizes(url: str, loaded: data.Loaded, parquet: Path) -> None:
    with contextlib.closing(connect(url)) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        row = conn.execute(
            "SELECT pg_total_relation_size('bench_transaction'), pg_total_relation_size('members_memberstats'),"
            " pg_total_relation_size('members_member'), pg_database_size(current_database()),"
            " (SELECT COUNT(*) FROM members_memberstats WHERE purchase_count > 0),"
            " (SELECT SUM(purchase_count) FROM members_memberstats),"
            " (SELECT SUM(return_count) FROM members_memberstats)"
        ).fetchone()
        conn.rollback()
    assert version is not None
    assert row is not None
    mib = 1024**2
    emit("postgresql", version[0])
    emit("members", f"{loaded.members} ({row[4]} with a purchase)")
    emit(
        "transactions", f"{loaded.transactions} ({row[5]} sales, {row[6]} returns) up to {loaded.data_end.isoformat()}"
    )
    emit("table_mib", f"transactions {row[0] / mib:.0f}, member statistics {row[1] / mib:.0f}, "
                      f"members {row[2] / mib:.0f}, database {row[3] / mib:.0f}")  # fmt: skip
    emit("parquet_mib", f"{parquet.stat().st_size / mib:.0f}")


def measure(args: argparse.Namespace, url: str, home: Path, loaded: data.Loaded, parquet: Path,
            postmaster: int | None) -> int:  # fmt: skip
    sizes(url, loaded, parquet)
    first = loaded.today + timedelta(days=1)
    log("warm-up")
    settle(url)
    warm_ours = tessera_run(loaded, first, postmaster)
    settle(url)
    warm_theirs = reference_run(parquet, first, home)
    emit("warmup_s", f"tessera {warm_ours.seconds:.2f}, reference {warm_theirs.seconds:.2f}")
    problems = compare(url, warm_ours, warm_theirs)
    ours: list[Run] = []
    theirs: list[Run] = []
    for n in range(1, args.rounds + 1):
        day = first + timedelta(days=n)
        order = ("tessera", "reference") if n % 2 else ("reference", "tessera")
        for side in order:
            log(f"round {n}: {side}")
            settle(url)
            if side == "tessera":
                ours.append(tessera_run(loaded, day, postmaster))
            else:
                theirs.append(reference_run(parquet, day, home))
        problems += compare(url, ours[-1], theirs[-1])
    if args.explain:
        explain(url, loaded, first + timedelta(days=args.rounds + 1), args.explain)
    report(args, url, ours, theirs, problems, postmaster)
    return 0 if not problems else 1


def report(args: argparse.Namespace, url: str, ours: list[Run], theirs: list[Run], problems: list[str],
           postmaster: int | None) -> None:  # fmt: skip
    from tessera.analytics.models import RfmRun
    from tessera.analytics.selectors import rfm_group_counts, rfm_stage_counts

    last = RfmRun.objects.get(id=ours[-1].run_id)
    emit("scored", f"{last.members_scored} members; thresholds {last.thresholds_source} from {last.repeat_buyers} "
                   f"repeat buyers: new within {last.typical_days} days, at risk after {last.at_risk_days}, "
                   f"lapsed after {last.lapsed_days}")  # fmt: skip
    emit("groups", ", ".join(f"{c.code} {c.members}" for c in rfm_group_counts(run=last)))
    emit("stages", ", ".join(f"{c.code} {c.members}" for c in rfm_stage_counts(run=last)))
    emit("rounds", "; ".join(
        f"round {n}: {'tessera first' if n % 2 else 'reference first'}, tessera {o.seconds:.2f} s, "
        f"reference {t.seconds:.2f} s" for n, (o, t) in enumerate(zip(ours, theirs, strict=True), 1)))  # fmt: skip
    tessera_s = sum(r.seconds for r in ours) / len(ours)
    reference_s = sum(r.seconds for r in theirs) / len(theirs)
    emit("tessera_s", f"{tessera_s:.2f}")
    emit("tessera_client_cpu_s", " / ".join(f"{r.cpu_s:.2f}" for r in ours))
    emit("reference_s", f"{reference_s:.2f}")
    cpu_report(ours, theirs)
    process_mib = max(r.process_mib for r in ours)
    postgres_mib = max(r.memory_mib for r in ours)
    whole = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit("peak_process_mib", f"{process_mib:.0f} during the Tessera runs (private memory; {whole:.0f} at any "
                             "time of the run, the load and the checks included)")  # fmt: skip
    emit(
        "peak_postgresql_private_mib", f"{postgres_mib:.0f}" if postmaster else "not measured (server not started here)"
    )
    emit("peak_reference_mib", f"{max(r.memory_mib for r in theirs):.0f} (the DuckDB process)")
    emit("load_average_at_end", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for problem in problems:
        emit("problem", problem)
    emit("checks", "ok" if not problems else f"FAILED ({len(problems)})")
    ratio = tessera_s / reference_s
    met = ratio <= RATIO_TARGET and process_mib + postgres_mib <= MEMORY_TARGET_MIB
    emit("target", f"ratio <= {RATIO_TARGET:g} and <= {MEMORY_TARGET_MIB} MiB: {'met' if met else 'not met'}")
    emit("ratio", f"{ratio:.2f}")


def cpu_report(ours: list[Run], theirs: list[Run]) -> None:
    """CPU seconds, which a busy machine inflates far less than wall time: Tessera's client and backend run one
    after the other, DuckDB's two threads side by side. ``cpu_ratio_two_cores`` is Tessera's CPU over half of
    DuckDB's, the wall-time ratio a quiet two-core machine would give if DuckDB's threads scaled perfectly (they
    do not quite, so it leans against Tessera); with the backend's CPU unreadable it says so."""
    tessera_cpu = sum(r.cpu_s + r.server_cpu_s for r in ours) / len(ours)
    reference_cpu = sum(r.cpu_s for r in theirs) / len(theirs)
    emit("cpu_s", f"tessera {tessera_cpu:.2f} (backend " + " / ".join(f"{r.server_cpu_s:.2f}" for r in ours)
         + f"), reference {reference_cpu:.2f} (" + " / ".join(f"{r.cpu_s:.2f}" for r in theirs) + ")")  # fmt: skip
    if all(r.server_cpu_s > 0 for r in ours) and reference_cpu > 0:
        emit("cpu_ratio_two_cores", f"{tessera_cpu / (reference_cpu / 2):.2f}")
    else:
        emit("cpu_ratio_two_cores", "not measured (the backend's /proc entry is not readable)")


def explain(url: str, loaded: data.Loaded, day: date, out: Path) -> None:
    """One more Tessera run under ``auto_explain``: the plans of its statements of 100 ms or more."""
    from django.db import connection

    out.mkdir(parents=True, exist_ok=True)
    settle(url)
    with slow_statement_plans(connection, min_ms=100) as plans:
        if plans is None:
            emit("explain", "auto_explain not available on this server")
            return
        run = tessera_run(loaded, day, None)
    (out / "explain-tessera.txt").write_text("\n\n".join(plans) + "\n")
    emit("explain", f"{out / 'explain-tessera.txt'} (a run of {run.seconds:.2f} s under auto_explain, "
                    f"{len(plans)} statements of 100 ms or more)")  # fmt: skip


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)

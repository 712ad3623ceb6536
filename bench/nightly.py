"""Nightly jobs benchmark: points expiry and tier evaluation against hand-written set-based SQL, on PostgreSQL.

Usage::

    .venv/bin/python bench/nightly.py              # full run: 1,000,000 members, 10,000,000 lots (~20 min)
    .venv/bin/python bench/nightly.py --quick      # 50,000 members, 500,000 lots, under two minutes
    .venv/bin/python bench/nightly.py --explain /tmp/nightly   # also per-statement figures and slow plans

One run, in this order: start a throwaway PostgreSQL cluster (unless ``--database-url`` names a server, where
one database is created and dropped again), migrate a fresh database, create a merchant, a store and two
*identical copies* of a programme with points expiring 365 days after earning and the diamonds tier ladder
(seed 002) through Tessera's services, then bulk-write each copy's members, accounts, lots and tier places
with ``generate_series`` (``nightly_data.py`` says exactly what). The copies are checked to be identical.

Each job is then measured against its reference (``nightly_reference.py``: one SQL statement writing exactly
what the job writes) in two rounds with the order alternated, every timed run starting after VACUUM ANALYZE
and a CHECKPOINT:

- round 1: the job on copy 1 (committed), then the reference on copy 2 (rolled back);
- round 2: the reference on copy 2 again (rolled back), then the job on copy 2 (committed).

So every run starts from the same data: the reference's ROLLBACK leaves copy 2 as it was, and VACUUM removes
the dead rows it left. Each round has one run of each on the same physical state, and each side runs once
first and once second, which cancels cache and order effects in the mean of the two rounds. The reference's
time includes its deferred foreign-key checks (``SET CONSTRAINTS ALL IMMEDIATE``), which a commit would run.
The shared tables are not reset: the job's round-1 run starts with no postings, entries or messages, every
later run with copy 1's; ``<job>_rounds`` shows each run, and the expiry job's are sensitive to it.

The job runs in its own process (``nightly_job.py``: the job function called as the worker calls it, with
its batches committing as they go); its time is the call alone, its peak memory the whole process's maximum
resident set from ``wait4``. Its effects are compared with the reference's by fingerprints of every column
written (same lots, postings, entries, balances, messages, tier places and events), checked against figures
computed from the data beforehand, and checked for the ledger's own rules on the copies: every member's
points balance equals the remaining points of their lots (I9), and every posting balances per unit. The full
``tessera ledger verify`` is not run: the opening balances have no postings, so I3 fails by construction.
Finally each job runs a second time on copy 1 and must find nothing to do.

Prints ``key: value`` lines; the last is ``ratio``, the worse of the two jobs' job/reference time ratios.
Target: ratio <= 2 and the job process's peak memory <= 1 GiB.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fixtures  # noqa: E402
import nightly_data as data  # noqa: E402
import nightly_reference as ref  # noqa: E402
import psycopg  # noqa: E402

from tessera.devtools.pgcluster import cluster_start, url_with_database  # noqa: E402

DAY = date(2026, 3, 1)  # the local date evaluated: lots lapse by its midnight in Asia/Shanghai
PG_SETTINGS = {
    # Durable commits as in production; memory for a 24 GiB machine. max_wal_size keeps checkpoints out of the
    # measured runs (each starts after an explicit CHECKPOINT). work_mem lets a reference's hash aggregates over
    # a million members stay in memory; the job's statements get the same.
    "shared_buffers": "2GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "1h",
    "max_connections": "50",
}
EXPLAIN_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements,auto_explain",
    "pg_stat_statements.track_planning": "on",  # else the plan_ms column is always 0
    "auto_explain.log_min_duration": "200ms",
    "auto_explain.log_analyze": "on",
    "auto_explain.log_buffers": "on",
    "auto_explain.log_timing": "off",
    "auto_explain.log_nested_statements": "on",
    "track_io_timing": "on",
}
TOUCHED = {
    "expiry": ("points_pointslot", "ledger_account", "ledger_posting", "ledger_entry", "messaging_outboxmessage"),
    "tier": ("tiers_membertier", "tiers_tierevent"),
}
LIMIT_MIB = 1024
RATIO_TARGET = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Nightly jobs against hand-written SQL on one PostgreSQL.")
    parser.add_argument("--quick", action="store_true", help="50,000 members (under two minutes)")
    parser.add_argument("--members", type=int, help="members per copy (default 1,000,000; 10 lots each)")
    parser.add_argument("--database-url", help="use this PostgreSQL server instead of a throwaway cluster")
    parser.add_argument("--expiry-batch-size", type=int, help="the expiry job's batch_size (its default if not given)")
    parser.add_argument("--tier-batch-size", type=int, help="the tier job's batch_size (its default if not given)")
    parser.add_argument("--only", choices=["expiry", "tier"], help="measure one job only")
    parser.add_argument(
        "--explain", type=Path, help="write pg_stat_statements per run and auto_explain plans (>= 200 ms) here"
    )
    args = parser.parse_args()
    args.members = args.members or (50_000 if args.quick else 1_000_000)
    return args


def emit(key: str, value: object) -> None:
    print(f"{key}: {value}", flush=True)


# ---------------------------------------------------------------- database housekeeping


def admin(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def settle(url: str, tables: tuple[str, ...]) -> None:
    """VACUUM ANALYZE what a run touched (dead rows of a rolled-back run out of the way) and CHECKPOINT."""
    admin(url, *(f"VACUUM (ANALYZE) {t}" for t in tables), "CHECKPOINT")


def connect(url: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url)
    conn.execute("SET TimeZone = 'UTC'")  # as Django's connections: timestamps turned to text the same way
    conn.commit()
    return conn


# ---------------------------------------------------------------- the job, in its own process


@dataclass
class JobRun:
    seconds: float
    summary: dict[str, Any]
    peak_mib: float
    cpu_s: float


def job_run(url: str, home: Path, job: str, copy: data.Copy, batch_size: int | None) -> JobRun:
    """Run one job in a child process; its time from inside, its peak memory and CPU from ``wait4``."""
    cmd = [sys.executable, str(HERE / "nightly_job.py"), "--database-url", url, "--home", str(home), "--job", job]
    cmd += ["--program-id", str(copy.program_id), "--date", DAY.isoformat()]
    if batch_size:
        cmd += ["--batch-size", str(batch_size)]
    out_path, err_path = home / "job.out", home / "job.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True)
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{job} exited with {proc.returncode}:\n{err_path.read_text()[-3000:]}")
    result = json.loads(out_path.read_text().strip().splitlines()[-1])
    return JobRun(result["seconds"], result["summary"], usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


# ---------------------------------------------------------------- the reference, in this process


@dataclass
class RefRun:
    seconds: float
    result: tuple[Any, ...]
    fingerprint: tuple[Any, ...]


def reference_run(
    url: str, sql: str, params: dict[str, Any], fingerprint: Callable[[psycopg.Connection[Any]], tuple[Any, ...]]
) -> RefRun:
    """The reference statement and its deferred checks in one transaction, fingerprinted, then rolled back."""
    with contextlib.closing(connect(url)) as conn:
        started = time.perf_counter()
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        assert row is not None
        prints = fingerprint(conn)
        conn.rollback()
    return RefRun(seconds, tuple(row), prints)


# ---------------------------------------------------------------- one job against its reference


@dataclass
class Duel:
    name: str  # "expiry" or "tier"
    job: str  # registered job name
    sql: str
    params: Callable[[data.Copy], dict[str, Any]]
    fingerprint: Callable[[psycopg.Connection[Any], data.Copy], tuple[Any, ...]]
    batch_size: int | None


def duel(url: str, home: Path, d: Duel, copies: list[data.Copy], stats: Stats) -> dict[str, Any]:
    """Two rounds, order alternated (see the module's docstring); returns times, summaries and fingerprints."""
    one, two = copies
    tables = TOUCHED[d.name]

    def job(copy: data.Copy, tag: str) -> JobRun:
        settle(url, tables)
        stats.reset()
        run = job_run(url, home, d.job, copy, d.batch_size)
        stats.save(f"{d.name}-job-{tag}")
        return run

    def reference(tag: str) -> RefRun:
        settle(url, tables)
        stats.reset()
        run = reference_run(url, d.sql, d.params(two), lambda conn: d.fingerprint(conn, two))
        stats.save(f"{d.name}-reference-{tag}")
        return run

    job1 = job(one, "round1")
    ref1 = reference("round1")
    ref2 = reference("round2")
    job2 = job(two, "round2")
    settle(url, tables)
    with contextlib.closing(connect(url)) as conn:
        job_prints = [d.fingerprint(conn, one), d.fingerprint(conn, two)]
    return {"jobs": [job1, job2], "refs": [ref1, ref2], "job_prints": job_prints}


class Stats:
    """With ``--explain``: pg_stat_statements reset before each run and written out after it."""

    def __init__(self, url: str, out: Path | None) -> None:
        self.url, self.out = url, out
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            admin(url, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

    def reset(self) -> None:
        if self.out is not None:
            admin(self.url, "SELECT pg_stat_statements_reset()")

    def save(self, tag: str) -> None:
        if self.out is None:
            return
        with psycopg.connect(self.url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT calls, round(total_exec_time::numeric, 1), round(total_plan_time::numeric, 1), rows,"
                " shared_blks_hit, shared_blks_read, shared_blks_dirtied, wal_bytes, query"
                " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname ="
                " current_database()) ORDER BY total_exec_time DESC LIMIT 25"
            ).fetchall()
        head = "calls\texec_ms\tplan_ms\trows\thit\tread\tdirtied\twal_bytes\tquery"
        lines = ["\t".join(str(v).replace("\n", " ") for v in row) for row in rows]
        (self.out / f"statements-{tag}.tsv").write_text("\n".join([head, *lines]) + "\n")


# ---------------------------------------------------------------- main


def setup(args: argparse.Namespace, url: str, home: Path) -> list[data.Copy]:
    started = time.perf_counter()
    fixtures.django_setup(database_url=url, home=home)
    fixtures.migrate()
    orgs, store_id = data.org_create(2)
    fixtures.close_connections()
    copies, timings = data.load(url, orgs, store_id=store_id, members=args.members, day=DAY)
    loaded = time.perf_counter()
    admin(url, "VACUUM (FREEZE, ANALYZE)", "CHECKPOINT")
    emit("setup_s", f"{time.perf_counter() - started:.1f}")
    for key, value in timings.items():
        emit(key, f"{value:.1f}")
    emit("vacuum_freeze_s", f"{time.perf_counter() - loaded:.1f}")
    return copies


def main() -> int:
    args = parse_args()

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    with contextlib.ExitStack() as cleanup:
        home = Path(tempfile.mkdtemp(prefix="tessera-nightly-"))
        cleanup.callback(shutil.rmtree, home, ignore_errors=True)
        server_url = server(args, cleanup)
        database = f"tessera_nightly_{os.getpid()}"
        admin(server_url, f'CREATE DATABASE "{database}"')
        if args.database_url:
            cleanup.callback(admin, server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        url = url_with_database(server_url, database)
        cleanup.callback(fixtures.close_connections)
        copies = setup(args, url, home)
        return measure(args, url, home, copies)
    return 1  # not reached: the with block returns


def server(args: argparse.Namespace, cleanup: contextlib.ExitStack) -> str:
    if args.database_url:
        emit("database", "given by --database-url")
        return str(args.database_url)
    settings = dict(PG_SETTINGS) | (EXPLAIN_SETTINGS if args.explain else {})
    cluster = cluster_start(settings=settings)
    cleanup.callback(cluster.stop)
    if args.explain:
        args.explain.mkdir(parents=True, exist_ok=True)  # the log is copied there even when setup fails
        log = cluster.datadir.parent / "log"
        cleanup.callback(lambda: shutil.copyfile(log, args.explain / "postgresql.log") if log.exists() else None)
    emit("database", f"throwaway cluster, {' '.join(f'{k}={v}' for k, v in PG_SETTINGS.items())}")
    return cluster.url


def measure(args: argparse.Namespace, url: str, home: Path, copies: list[data.Copy]) -> int:
    one, two = copies
    with contextlib.closing(connect(url)) as conn:
        identical = ref.expiry_fingerprint(conn, one) == ref.expiry_fingerprint(conn, two)
        identical &= ref.tier_fingerprint(conn, one) == ref.tier_fingerprint(conn, two)
        expiry_expected = ref.expiry_expected(conn, two, DAY)
        thresholds = ref.tier_thresholds(conn, two)
        tier_expected = ref.tier_expected(conn, two, DAY, thresholds)
        conn.rollback()
    problems = [] if identical else ["the two copies differ before any run"]
    stats = Stats(url, args.explain)
    now = datetime.now(tz=UTC)
    emit("members", args.members)
    emit("lots", args.members * data.LOTS_PER_MEMBER)
    emit("date", f"{DAY} ({data.TIMEZONE})")
    ratios, peaks = [], []
    if args.only in (None, "expiry"):
        d = Duel("expiry", "points.expiry", ref.EXPIRY_REFERENCE, lambda c: ref.expiry_params(c, DAY, now),
                 ref.expiry_fingerprint, args.expiry_batch_size)  # fmt: skip
        result = duel(url, home, d, copies, stats)
        problems += expiry_report(url, home, result, copies, expiry_expected)
        ratios.append(_ratio(result))
        peaks.append(max(run.peak_mib for run in result["jobs"]))
    if args.only in (None, "tier"):
        d = Duel("tier", "tiers.evaluation", ref.tier_reference(thresholds),
                 lambda c: ref.tier_params(c, DAY, now), ref.tier_fingerprint, args.tier_batch_size)  # fmt: skip
        result = duel(url, home, d, copies, stats)
        problems += tier_report(url, home, result, copies, tier_expected)
        ratios.append(_ratio(result))
        peaks.append(max(run.peak_mib for run in result["jobs"]))
    for problem in problems:
        emit("problem", problem)
    emit("checks", "ok" if not problems else f"FAILED ({len(problems)})")
    emit("job_peak_mib", f"{max(peaks):.0f}")
    ratio = max(ratios)
    met = ratio <= RATIO_TARGET and max(peaks) <= LIMIT_MIB
    emit("target", f"ratio <= {RATIO_TARGET:g} and peak <= {LIMIT_MIB} MiB: {'met' if met else 'not met'}")
    emit("ratio", f"{ratio:.2f}")
    return 0 if not problems else 1


def _ratio(result: dict[str, Any]) -> float:
    job = sum(run.seconds for run in result["jobs"]) / 2
    reference = sum(run.seconds for run in result["refs"]) / 2
    return job / reference


def _times(name: str, result: dict[str, Any]) -> None:
    jobs, refs = result["jobs"], result["refs"]
    job, reference = sum(r.seconds for r in jobs) / 2, sum(r.seconds for r in refs) / 2
    emit(f"{name}_job_s", f"{job:.2f}")
    emit(f"{name}_reference_s", f"{reference:.2f}")
    emit(f"{name}_ratio", f"{job / reference:.2f}")
    emit(f"{name}_peak_mib", f"{max(r.peak_mib for r in jobs):.0f}")
    emit(f"{name}_rounds", "; ".join(
        f"round {n}: job {j.seconds:.2f} s, reference {r.seconds:.2f} s" for n, (j, r) in
        enumerate(zip(jobs, refs, strict=True), 1)))  # fmt: skip
    emit(f"{name}_job_process_cpu_s", " / ".join(f"{r.cpu_s:.1f}" for r in jobs))


def _same_prints(result: dict[str, Any]) -> list[str]:
    prints = [*result["job_prints"], *(r.fingerprint for r in result["refs"])]
    return [] if all(p == prints[0] for p in prints) else ["the job and the reference wrote different rows"]


def expiry_report(
    url: str, home: Path, result: dict[str, Any], copies: list[data.Copy], expected: dict[str, int]
) -> list[str]:
    problems = _same_prints(result)
    for run in result["jobs"]:
        got = {k: run.summary[k] for k in ("members", "points", "reminders")}
        if got != {k: expected[k] for k in got}:
            problems.append(f"expiry job summary {got}, expected {expected}")
    for r in result["refs"]:
        if r.result != (expected["lots"], expected["members"], expected["points"], expected["reminders"]):
            problems.append(f"expiry reference wrote {r.result}, expected {expected}")
    with contextlib.closing(connect(url)) as conn:
        for copy in copies:
            problems += [f"copy {copy.tag}: {p}" for p in ref.expiry_checks(conn, copy, DAY, expected)]
    again = job_run(url, home, "points.expiry", copies[0], None)
    if again.summary["members"] or again.summary["points"] or again.summary["reminders"]:
        problems.append(f"a second expiry run did something: {again.summary}")
    emit("lots_expired", expected["lots"])
    emit("points_expired", expected["points"])
    emit("expiry_members", expected["members"])
    emit("expiry_reminders", expected["reminders"])
    emit("expiry_batches", result["jobs"][0].summary["batches"])
    _times("expiry", result)
    emit("expiry_rerun_s", f"{again.seconds:.2f}")
    return problems


def tier_report(
    url: str, home: Path, result: dict[str, Any], copies: list[data.Copy], expected: dict[str, int]
) -> list[str]:
    problems = _same_prints(result)
    for run in result["jobs"]:
        got = (run.summary["windows_closed"], run.summary["tier_changes"], run.summary["grace_ended"])
        if got != (expected["due"], expected["changes"], 0):
            problems.append(f"tier job summary {run.summary}, expected {expected}")
    for r in result["refs"]:
        if r.result != (expected["due"], expected["changes"]):
            problems.append(f"tier reference closed {r.result}, expected {expected}")
    with contextlib.closing(connect(url)) as conn:
        for copy in copies:
            problems += [f"copy {copy.tag}: {p}" for p in ref.tier_checks(conn, copy, DAY)]
    again = job_run(url, home, "tiers.evaluation", copies[0], None)
    if again.summary["windows_closed"] or again.summary["tier_changes"]:
        problems.append(f"a second tier evaluation did something: {again.summary}")
    emit("tier_members_evaluated", expected["due"])
    emit("tier_changes", expected["changes"])
    emit("tier_batches", result["jobs"][0].summary["batches"])
    _times("tier", result)
    emit("tier_rerun_s", f"{again.seconds:.2f}")
    return problems


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)

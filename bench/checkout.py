"""Checkout benchmark: Tessera's POST /api/v1/sales under gunicorn against pgbench, on one PostgreSQL cluster.

Usage::

    .venv/bin/python bench/checkout.py            # full run: 2,000 members, 30 s of load, 30 s of pgbench
    .venv/bin/python bench/checkout.py --quick    # reduced run, under two minutes in all
    .venv/bin/python bench/checkout.py --profile /tmp/prof   # also py-spy, pg_stat_statements, wait sampling

One run does everything on the same machine, in this order: start a throwaway PostgreSQL cluster (unless
``--database-url`` names a server, where two databases are created and dropped again), migrate a fresh
database, load a clothing chain (4 stores x 2 tills, one terminal key each, a programme with a top-up bonus
band, members enrolled and topped up through Tessera's own services), start Tessera under gunicorn with
DEBUG off, warm it up, then drive POST /api/v1/sales from 8 concurrent keep-alive clients with 3-line sales
(about a third paid partly from stored value; every request has its own Idempotency-Key and POS number; any
status but 201 is an error). After the checkout load has stopped, pgbench runs tpcb-like with 8 clients
(-c 8 -j 2) on its own database of the same cluster for the same time. Finally ``ledger_verify`` must pass and
the number of sale documents in the database must match the 201s the clients saw. The last line is
``ratio: checkout_tps / pgbench_tps``; the target is ratio >= 0.5 with p99 <= 50 ms.

Server: gunicorn's ``gthread`` worker, the only WSGI worker that keeps connections alive (the ``sync`` worker
closes each connection after one response), with 2 workers x 4 threads. Measured here in three alternating
rounds on the code of 465c340: 2x4 gave 40-49 sales/s, 2x2 36-37, 4x2 30-51 (less steady), 1x4 32-38; on an
optimised hot path 2x2, 2x4 and 4x2 were within noise (~200/s) and 1x4 halved (one process cannot use both
cores). Two processes use the two cores; four threads each give all 8 clients a thread, so none queues.

Load generator: ``wrk`` with bench/sales.lua when installed (``apt-get install wrk``), else bench/loadgen.py
(``--client python``), which sends the same document mix from 8 threads over kept-alive ``http.client``
connections. Measured side by side here: wrk spent 0.11-0.19 ms of CPU per sale, the Python generator
0.34-1.0 ms, i.e. 3-5 times more of the two cores the server needs; the throughput differences were within
the machine's noise. wrk is therefore the default.

Every figure printed is a ``key: value`` line; CPU figures come from /proc (``cpu_*_ms_per_sale``: CPU of the
gunicorn processes, of the PostgreSQL processes and of the load generator, per committed sale; ``cpu_other_s``
is CPU used by anything else on the machine during the phase and flags a noisy run).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fixtures  # noqa: E402
import procstat  # noqa: E402
import psycopg  # noqa: E402

from tessera.devtools.pgcluster import cluster_start, free_port, pg_tool, url_with_database  # noqa: E402

CLIENTS = 8
PG_SETTINGS = {
    # Durable commits (fsync, synchronous_commit on) as in production; memory sized for a 24 GiB machine so
    # neither side is measured against an undersized buffer cache. Both workloads share these settings.
    "shared_buffers": "1GB",
    "max_connections": "100",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "30min",
}
SV_AMOUNTS = [2000, 5000, 10000, 20000]  # stored value spent on a sale (minor units), capped at its total
SV_SHARE = 0.35
# --coupons: every sale uses a coupon and pays part from stored value, in amounts a member's wallet lasts for.
COUPON_SV_AMOUNTS = [1000, 2000, 3000]
COUPONS_PER_MEMBER = 40
PYSPY_HZ = 100


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Checkout TPS against pgbench TPS on one PostgreSQL cluster.")
    parser.add_argument("--quick", action="store_true", help="reduced run (under two minutes)")
    parser.add_argument("--database-url", help="use this PostgreSQL server instead of a throwaway cluster")
    parser.add_argument("--duration", type=float, help="seconds of checkout load and of pgbench (default 30)")
    parser.add_argument("--warmup", type=float, help="seconds of unmeasured checkout load first (default 5)")
    parser.add_argument("--members", type=int, help="members to enrol and top up (default 2000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    parser.add_argument("--scale", type=int, default=10, help="pgbench scale factor (default 10)")
    parser.add_argument("--sweep", help="instead of one run, try gunicorn shapes, e.g. '1x4,2x2,2x4,3x2,4x1'")
    parser.add_argument("--profile", type=Path, help="write py-spy stacks and database wait samples here")
    parser.add_argument(
        "--template",
        choices=["none", "clothing"],
        default="none",
        help="programme templates to run under: none, or seed 002's clothing chain (tiers, earning rules, gifts)",
    )
    parser.add_argument(
        "--coupons",
        action="store_true",
        help="every sale uses one applicable 5-yuan coupon and pays part from stored value (issue 4's mix)",
    )
    parser.add_argument(
        "--settings",
        default="tessera.config.settings",
        help="Django settings module, for experiments (a module on PYTHONPATH that imports and overrides them)",
    )
    args = parser.parse_args()
    args.duration = args.duration or (10.0 if args.quick else 30.0)
    args.warmup = args.warmup if args.warmup is not None else (3.0 if args.quick else 5.0)
    args.members = args.members or (500 if args.quick else 2000)
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    return args


def emit(key: str, value: object) -> None:
    print(f"{key}: {value}", flush=True)


# ---------------------------------------------------------------- database


def admin_execute(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def postmaster_pid(url: str) -> int | None:
    """The server's postmaster, when it runs on this machine and its data directory is readable."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute("SHOW data_directory").fetchone()
        return int((Path(row[0]) / "postmaster.pid").read_text().splitlines()[0]) if row else None
    except (OSError, ValueError, psycopg.Error):
        return None


def pg_env_args(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection options for PostgreSQL's command-line tools (pgbench) from a URL."""
    parsed = urlparse(url)
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    args += ["-U", unquote(parsed.username or "postgres")]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = unquote(parsed.password)
    return args, env


def db_sessions(url: str) -> int:
    """Sessions (connections) ever opened to this database: a fresh one per request shows up here."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        row = conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").fetchone()
    return int(row[0]) if row else 0


def wal_position(url: str) -> int:
    """Bytes of WAL the cluster has written so far: a noise-free measure of how much a phase wrote."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint").fetchone()
    return int(row[0]) if row else 0


def checkpoint(url: str) -> None:
    admin_execute(url, "CHECKPOINT")


# ---------------------------------------------------------------- Tessera under gunicorn


class Gunicorn:
    def __init__(self, *, database_url: str, home: Path, workers: int, threads: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / f"gunicorn-{self.port}.log"
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE=os.environ["DJANGO_SETTINGS_MODULE"],
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            TESSERA_HOME=str(home),
            LOG_LEVEL="WARNING",
        )
        cmd = [sys.executable, "-m", "gunicorn", "tessera.config.wsgi:application"]
        cmd += ["--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads)]
        cmd += ["--bind", f"127.0.0.1:{self.port}", "--keep-alive", "75", "--backlog", "64"]
        # The heartbeat file in memory, not on the disk PostgreSQL flushes its WAL to.
        cmd += ["--worker-tmp-dir", "/dev/shm", "--log-level", "warning", "--error-logfile", str(self.log)]  # noqa: S108
        self.proc = subprocess.Popen(cmd, env=env, cwd=home, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.url + "/api/docs", timeout=5) as response,  # noqa: S310 (http only)
            ):
                if response.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {seconds} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text().splitlines()[-30:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


# ---------------------------------------------------------------- load


_coupon_runs = itertools.count()


def write_specs(spec: dict[str, Any], work: Path, prefix: str) -> tuple[Path, Path]:
    """The same spec as JSON (loadgen.py) and as a Lua table (sales.lua)."""
    coupons = bool(spec["coupons"])
    if coupons:  # each run (warm-up, measured) gets its own share of every member's coupons
        run, share = next(_coupon_runs), COUPONS_PER_MEMBER // 2
        spec = {**spec, "coupons": {m: c[run * share : (run + 1) * share] for m, c in spec["coupons"].items()}}
    sv_share, sv_amounts = (1.0, COUPON_SV_AMOUNTS) if coupons else (SV_SHARE, SV_AMOUNTS)
    spec = {**spec, "prefix": prefix, "seed": zlib.crc32(prefix.encode()) % 100_000, "sv_share": sv_share}
    spec["clients"] = CLIENTS
    spec["sv_amounts"] = sv_amounts
    json_path = work / f"spec-{prefix}.json"
    json_path.write_text(json.dumps(spec))

    def lua_str(value: str) -> str:
        assert "]==]" not in value
        return f"[==[{value}]==]"

    products = ",\n".join(
        "{head=%s, price=%d}"  # noqa: UP031
        % (lua_str(json.dumps({k: p[k] for k in ("sku", "name", "brand", "category")})[1:-1]), p["price"])
        for p in spec["products"]
    )
    terminals = ",\n".join(f"{{store={lua_str(t['store'])}, key={lua_str(t['key'])}}}" for t in spec["terminals"])
    members = ",\n".join(lua_str(m) for m in spec["members"])
    # The spaces matter: "[[" would open a Lua long string.
    tiers = ", ".join(f"[ {lua_str(code)} ]={bp}" for code, bp in spec["tier_discounts"].items())
    # Each run's codes are its own slice of every member's list, so no two runs (warm-up, measured, probe)
    # try to use one coupon twice.
    wallet = ",\n".join(f"[ {lua_str(m)} ]={{{', '.join(lua_str(c) for c in codes)}}}"
                        for m, codes in spec["coupons"].items())  # fmt: skip
    lua = (
        f"return {{\nseed={spec['seed']}, prefix={lua_str(prefix)}, currency={lua_str(spec['currency'])},\n"
        f"sv_share={sv_share}, sv_amounts={{{', '.join(map(str, sv_amounts))}}}, discount_bp={spec['discount_bp']},\n"
        f"coupon_minor={spec['coupon_minor']}, coupons={{\n{wallet}}},\n"
        f"tier_discounts={{{tiers}}}, clients={CLIENTS},\n"
        f"terminals={{\n{terminals}}},\nmembers={{\n{members}}},\nproducts={{\n{products}}}\n}}\n"
    )
    lua_path = work / f"spec-{prefix}.lua"
    lua_path.write_text(lua)
    return json_path, lua_path


def parse_kv(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        if sep and re.fullmatch(r"[a-z0-9_.]+", key):
            out[key] = value.strip()
    return out


def run_load(client: str, *, url: str, spec_json: Path, spec_lua: Path, duration: float) -> dict[str, Any]:
    """One closed-loop run of CLIENTS keep-alive connections; latencies in ms, CPU of the generator in s."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if client == "wrk":
        # A thread per connection: each client then sells to its own members and learns their tiers from the
        # answers, in order (see sales.lua).
        cmd = ["wrk", "-t", str(CLIENTS), "-c", str(CLIENTS), "-d", f"{duration:.0f}s", "--timeout", "10s"]
        cmd += ["-s", str(HERE / "sales.lua"), url]
        env = {**os.environ, "TESSERA_BENCH_SPEC": str(spec_lua)}
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, timeout=duration + 60)
        kv, prefix = parse_kv(out.stdout), "wrk"
        # wrk counts every answer, also those after its time is up: the window is the whole run.
        errors = window_errors = int(kv["wrk_status_errors"]) + int(kv["wrk_socket_errors"])
    else:
        cmd = [sys.executable, str(HERE / "loadgen.py"), str(spec_json), url]
        cmd += ["--clients", str(CLIENTS), "--duration", str(duration)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 60)
        kv, prefix = parse_kv(out.stdout), "py"
        # Requests and latencies exclude the ramp-up and the last request of each client; errors do not.
        window_errors = int(kv["py_status_errors"])
        errors = window_errors + int(kv["py_errors_outside_window"])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    requests = int(kv[f"{prefix}_requests"])
    seconds = int(kv[f"{prefix}_duration_us"]) / 1e6
    return {
        "requests": requests,
        "ok": requests - window_errors,
        "errors": errors,
        "seconds": seconds,
        "tps": (requests - window_errors) / seconds,
        # For the database check: 201s received over the whole run (counted in the window or not), and
        # requests never answered, which the server may or may not have committed.
        "created": int(kv[f"{prefix}_created"]),
        "unresolved": int(kv[f"{prefix}_unresolved"]),
        "p50_ms": int(kv[f"{prefix}_p50_us"]) / 1000,
        "p90_ms": int(kv[f"{prefix}_p90_us"]) / 1000,
        "p99_ms": int(kv[f"{prefix}_p99_us"]) / 1000,
        "max_ms": int(kv[f"{prefix}_max_us"]) / 1000,
        "first_error": kv.get(f"{prefix}_first_error", ""),
        "loadgen_cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    }


# ---------------------------------------------------------------- profiling aids


def sql_round_trips_one_sale(spec: dict[str, Any]) -> tuple[int, int, list[str]]:
    """Commit one sale in-process through Django's WSGI handler and count the server round trips it makes.

    The handler is called exactly as gunicorn calls it, so the request_started/finished signals open, check
    and close the database connection as they do in a worker. libpq's protocol trace (attached to the open
    connection, and to any connection opened meanwhile) records every ReadyForQuery the server sends: one
    per round trip, whether the statement came from the ORM or from psycopg and Django themselves (BEGIN,
    COMMIT, the health check, session set-up). Returns round trips, connections opened and the messages sent.
    """
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.db.backends.postgresql import base as pg_base

    handler = WSGIHandler()
    terminal = spec["terminals"][0]

    def post(number: str, member: str) -> int:
        lines = [
            {"line_no": n, "sku": f"P{n}", "name": "Probe", "category": "tops", "quantity": 1, "unit_price_minor": 5000}
            for n in (1, 2, 3)
        ]
        # Each 50.00 line less the members' tier discount, rounded down per line as the server does.
        total = 3 * (5000 - 5000 * spec["discount_bp"] // 10_000)
        # With --coupons the probe sale uses one too: each member's last code, which no run's slice holds.
        coupon = {"coupons": [spec["coupons"][member][-1]]} if spec["coupons"] else {}
        total -= spec["coupon_minor"] if coupon else 0
        tenders = [{"kind": "stored_value", "amount_minor": 5000}, {"kind": "cash", "amount_minor": total - 5000}]
        event_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        body = json.dumps(
            {"store": terminal["store"], "pos_number": number, "event_at": event_at, "member": member}
            | {"currency": spec["currency"], "lines": lines, "tenders": tenders}
            | coupon
        ).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/sales",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {terminal['key']}",
            "HTTP_IDEMPOTENCY_KEY": number,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []
        result = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            b"".join(result)
        finally:
            result.close()  # request_finished: Django closes or keeps the connection here
        return int(status[0].split()[0])

    # Two sales on other members first, so the probe sees a worker in its steady state.
    for n in (0, 1):
        assert post(f"probe-{n}", spec["members"][n + 1]) == 201
    opened: list[Any] = []
    real_connect = pg_base.Database.connect
    with tempfile.TemporaryFile("w+") as trace:

        def traced(pgconn: Any) -> None:
            pgconn.trace(trace.fileno())
            pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

        def connect(*args: Any, **kwargs: Any) -> Any:
            conn = real_connect(*args, **kwargs)
            traced(conn.pgconn)
            opened.append(conn)
            return conn

        if connection.connection is not None:
            traced(connection.connection.pgconn)
        pg_base.Database.connect = connect
        try:
            status = post("probe-2", spec["members"][0])
        finally:
            pg_base.Database.connect = real_connect
            if connection.connection is not None and not connection.connection.closed:
                connection.connection.pgconn.untrace()
        trace.seek(0)
        messages = [line.split("\t") for line in trace.read().splitlines()]
    assert status == 201, status
    round_trips = sum(1 for m in messages if len(m) > 2 and m[0] == "B" and m[2] == "ReadyForQuery")
    # Simple protocol: one Query message per statement; extended protocol: Parse (when not yet prepared),
    # then Bind/Execute/Sync. The list keeps what the frontend sent, for the README.
    sent = [f"{m[2]}: {m[3].strip()[:400]}" for m in messages if len(m) > 3 and m[0] == "F" and m[2] != "Bind"]
    return round_trips, len(opened), sent


class WaitSampler(threading.Thread):
    """Samples pg_stat_activity of one database every 10 ms: what its backends are doing or waiting for."""

    def __init__(self, url: str, database: str) -> None:
        super().__init__(daemon=True)
        self.url, self.database = url, database
        self.counts: Counter[str] = Counter()
        self.samples = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stopping.is_set():
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    [self.database],
                ).fetchall()
                self.samples += 1
                for state, kind, event in rows:
                    self.counts[f"{state}|{kind or '-'}|{event or '-'}"] += 1
                time.sleep(0.01)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


def statement_stats(url: str, sales: int, limit: int = 40) -> list[str]:
    """pg_stat_statements for the checkout database: calls per sale and server time per sale."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT calls, total_exec_time, rows, query FROM pg_stat_statements"
            " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " ORDER BY total_exec_time DESC LIMIT %s",
            [limit],
        ).fetchall()
    return [
        f"{calls / sales:6.2f} calls/sale {total / sales * 1000:8.1f} us/sale  {' '.join(query.split())[:160]}"
        for calls, total, _, query in rows
    ]


# ---------------------------------------------------------------- the run


def documents_check(runs: dict[str, tuple[str, int, int]]) -> tuple[bool, str]:
    """Sale documents in the database against the 201s the clients received, run by run.

    ``runs`` maps a name to (POS number prefix, 201s received, requests never answered). Every sale of the
    bench has a POS number ``prefix-...``; a run must have left between its 201s and its 201s plus its
    unanswered requests (which wrk abandons in flight when its time is up), and no other sale documents exist.
    """
    from tessera.checkout.models import Document

    numbers = Document.objects.filter(kind=Document.Kind.SALE).values_list("pos_number", flat=True)
    found = Counter(number.split("-", 1)[0] for number in numbers)
    total = sum(found.values())
    ok = True
    parts = []
    for name, (prefix, created, unresolved) in runs.items():
        count = found.pop(prefix, 0)
        ok = ok and created <= count <= created + unresolved
        parts.append(f"{name} {count}/{created}" + (f"+{unresolved}" if unresolved else ""))
    if found:
        ok = False
        parts.append(f"not the bench's: {dict(found)}")
    legend = "in the database/201s received+unanswered"
    return ok, f"{total} ({'ok' if ok else 'MISMATCH'}, {legend}: {', '.join(parts)})"


def pgbench_run(url: str, *, duration: float, roots: dict[str, int | None]) -> dict[str, Any]:
    conn_args, env = pg_env_args(url)
    database = urlparse(url).path.lstrip("/")
    cmd = [pg_tool("pgbench"), *conn_args, "-b", "tpcb-like", "-c", str(CLIENTS), "-j", "2"]
    cmd += ["-T", f"{duration:.0f}", database]
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wal = wal_position(url)
    before = procstat.snapshot(roots)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, timeout=duration + 120)
    time.sleep(0.5)  # let the postmaster reap pgbench's backends, so their CPU is in its cutime
    used = procstat.delta(before, procstat.snapshot(roots))
    wal_bytes = wal_position(url) - wal
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after_children.ru_utime + after_children.ru_stime) - (
        before_children.ru_utime + before_children.ru_stime
    )
    tps = re.search(r"tps = ([0-9.]+)", out.stdout)
    latency = re.search(r"latency average = ([0-9.]+) ms", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    processed = re.search(r"number of transactions actually processed: (\d+)", out.stdout)
    if tps is None or processed is None:
        raise RuntimeError(f"pgbench output not understood:\n{out.stdout}\n{out.stderr}")
    return {
        "tps": float(tps.group(1)),
        "latency_ms": float(latency.group(1)) if latency else float("nan"),
        "failed": int(failed.group(1)) if failed else 0,
        "transactions": int(processed.group(1)),
        "cpu": used,
        "client_cpu_s": client_cpu,
        "wal_bytes": wal_bytes,
    }


def checkout_phase(
    args: argparse.Namespace,
    *,
    server_url: str,
    tessera_url: str,
    work: Path,
    spec: dict[str, Any],
    roots: dict[str, int | None],
    workers: int,
    threads: int,
    duration: float,
    warmup: float,
    tag: str,
) -> dict[str, Any]:
    """Start gunicorn, warm it up, measure one run, stop it. Returns the run's figures."""
    gunicorn = Gunicorn(database_url=tessera_url, home=work, workers=workers, threads=threads)
    profilers: dict[str, Any] = {}
    try:
        if warmup > 0:
            json_w, lua_w = write_specs(spec, work, f"{tag}w")
            warm = run_load(args.client, url=gunicorn.url, spec_json=json_w, spec_lua=lua_w, duration=warmup)
            if warm["errors"]:
                raise RuntimeError(f"warm-up errors: {warm['errors']}, first: {warm['first_error']}")
        else:
            warm = {"ok": 0, "requests": 0, "created": 0, "unresolved": 0}
        json_m, lua_m = write_specs(spec, work, f"{tag}m")
        checkpoint(server_url)
        profilers = start_profilers(args, gunicorn=gunicorn, server_url=server_url, tessera_url=tessera_url, tag=tag)
        roots = {**roots, "app": gunicorn.proc.pid}
        sessions = db_sessions(tessera_url)
        wal = wal_position(server_url)
        before = procstat.snapshot(roots)
        result = run_load(args.client, url=gunicorn.url, spec_json=json_m, spec_lua=lua_m, duration=duration)
        result["cpu"] = procstat.delta(before, procstat.snapshot(roots))
        result["wal_bytes"] = wal_position(server_url) - wal
        time.sleep(1.1)  # backends report their statistics at most once a second
        result["sessions"] = db_sessions(tessera_url) - sessions
        stop_profilers(args, profilers, tessera_url=tessera_url, sales=result["ok"], tag=tag)
        result["runs"] = {
            "warm-up": (f"{tag}w", warm["created"], warm["unresolved"]),
            "measured": (f"{tag}m", result["created"], result["unresolved"]),
        }
    finally:
        if profilers and profilers["spy"].poll() is None:
            profilers["spy"].terminate()
        if profilers:
            profilers["sampler"].stop()
        gunicorn.stop()
    return result


def start_profilers(
    args: argparse.Namespace, *, gunicorn: Gunicorn, server_url: str, tessera_url: str, tag: str
) -> dict[str, Any]:
    if args.profile is None:
        return {}
    args.profile.mkdir(parents=True, exist_ok=True)
    admin_execute(tessera_url, "SELECT pg_stat_statements_reset()")
    sampler = WaitSampler(server_url, urlparse(tessera_url).path.lstrip("/"))
    sampler.start()
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    out = args.profile / f"pyspy-raw-{tag}.txt"
    cmd = [pyspy, "record", "--pid", str(gunicorn.proc.pid), "--subprocesses", "--idle", "--rate", str(PYSPY_HZ)]
    cmd += ["--format", "raw", "--output", str(out), "--duration", f"{args.duration:.0f}", "--nonblocking"]
    spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return {"sampler": sampler, "spy": spy}


def stop_profilers(
    args: argparse.Namespace, profilers: dict[str, Any], *, tessera_url: str, sales: int, tag: str
) -> None:
    if not profilers:
        return
    sampler: WaitSampler = profilers["sampler"]
    sampler.stop()
    spy: subprocess.Popen[str] = profilers["spy"]
    try:
        spy.wait(timeout=60)
    except subprocess.TimeoutExpired:
        spy.terminate()
    lines = [f"samples: {sampler.samples} (every 10 ms); backends per sample by state|wait type|wait event"]
    for key, count in sampler.counts.most_common():
        lines.append(f"{count / max(sampler.samples, 1):6.2f}  {key}")
    (args.profile / f"pg-waits-{tag}.txt").write_text("\n".join(lines) + "\n")
    (args.profile / f"pg-statements-{tag}.txt").write_text("\n".join(statement_stats(tessera_url, sales)) + "\n")
    summary = subprocess.run(
        [
            *(sys.executable, str(HERE / "pyspy_summary.py"), str(args.profile / f"pyspy-raw-{tag}.txt")),
            *("--sales", str(max(sales, 1)), "--rate", str(PYSPY_HZ)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    (args.profile / f"pyspy-summary-{tag}.txt").write_text(summary.stdout + summary.stderr)


def main() -> int:
    args = parse_args()
    if args.client == "wrk" and not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk); use --client python", file=sys.stderr)
        return 2

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    with contextlib.ExitStack() as cleanup:
        work = Path(tempfile.mkdtemp(prefix="tessera-bench-"))
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        settings = dict(PG_SETTINGS)
        if args.profile is not None:
            settings["shared_preload_libraries"] = "pg_stat_statements"
            settings["track_io_timing"] = "on"
        if args.database_url:
            server_url = args.database_url
            emit("database", "given by --database-url")
        else:
            cluster = cluster_start(settings=settings)
            cleanup.callback(cluster.stop)
            server_url = cluster.url
            emit("database", f"throwaway cluster, {' '.join(f'{k}={v}' for k, v in PG_SETTINGS.items())}")
        tessera_db, pgbench_db = f"tessera_bench_{os.getpid()}", f"pgbench_bench_{os.getpid()}"
        for name in (tessera_db, pgbench_db):
            admin_execute(server_url, f'CREATE DATABASE "{name}"')
            if args.database_url:
                cleanup.callback(admin_execute, server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        tessera_url = url_with_database(server_url, tessera_db)
        pgbench_url = url_with_database(server_url, pgbench_db)
        roots: dict[str, int | None] = {"db": postmaster_pid(server_url)}

        started = time.perf_counter()
        fixtures.django_setup(database_url=tessera_url, home=work, settings=args.settings)
        fixtures.migrate()
        cleanup.callback(fixtures.close_connections)
        if args.profile is not None:
            admin_execute(tessera_url, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn_args, env = pg_env_args(pgbench_url)
        subprocess.run(
            [pg_tool("pgbench"), *conn_args, "-i", "-q", "-s", str(args.scale), pgbench_db],
            env=env,
            capture_output=True,
            check=True,
        )
        fixture = fixtures.build(stores=4, terminals_per_store=2, members=args.members)
        if args.template == "clothing":
            fixture.tier_discounts = fixtures.template_apply(fixtures.CLOTHING)
            fixture.discount_bp = next(iter(fixture.tier_discounts.values()), 0)
        if args.coupons:
            fixture.coupons = fixtures.coupons_give(fixture.members, COUPONS_PER_MEMBER + 1)  # +1 for the probe
            fixture.coupon_minor = fixtures.COUPON_MINOR
        spec = fixture.as_spec()
        round_trips, probe_connects, statements = sql_round_trips_one_sale(spec)
        fixtures.close_connections()
        emit("setup_s", f"{time.perf_counter() - started:.1f}")
        for key, value in fixture.timings.items():
            emit(key, f"{value:.1f}")
        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
            (args.profile / "statements-one-sale.txt").write_text("\n".join(statements) + "\n")

        if args.sweep:
            return sweep(args, server_url=server_url, tessera_url=tessera_url, work=work, spec=spec, roots=roots)

        emit("template", args.template)
        emit("coupons", "one per sale, with stored value" if args.coupons else "none")
        emit("load_generator", args.client)
        emit("gunicorn", f"gthread workers={args.workers} threads={args.threads}")
        emit("settings", args.settings)
        emit("clients", CLIENTS)
        emit("members", args.members)
        emit("duration_s", f"{args.duration:.0f}")
        result = checkout_phase(
            args,
            server_url=server_url,
            tessera_url=tessera_url,
            work=work,
            spec=spec,
            roots=roots,
            workers=args.workers,
            threads=args.threads,
            duration=args.duration,
            warmup=args.warmup,
            tag="run",
        )
        checkpoint(server_url)
        bench = pgbench_run(pgbench_url, duration=args.duration, roots=roots)

        problems = fixtures.verify()
        documents_ok, documents_text = documents_check({"probe": ("probe", 3, 0), **result["runs"]})
        fixtures.close_connections()

        sales = max(result["ok"], 1)
        emit("checkout_sales", result["ok"])
        emit("checkout_tps", f"{result['tps']:.1f}")
        emit("p50_ms", f"{result['p50_ms']:.2f}")
        emit("p90_ms", f"{result['p90_ms']:.2f}")
        emit("p99_ms", f"{result['p99_ms']:.2f}")
        emit("max_ms", f"{result['max_ms']:.2f}")
        emit("errors", result["errors"])
        if result["first_error"]:
            emit("first_error", result["first_error"])
        emit("sql_round_trips_per_sale", round_trips)
        emit("db_connects_per_sale_probe", probe_connects)
        emit("db_connections_opened_per_sale", f"{result['sessions'] / sales:.2f}")
        emit("cpu_app_ms_per_sale", f"{result['cpu']['app'] * 1000 / sales:.2f}")
        emit("cpu_db_ms_per_sale", f"{result['cpu']['db'] * 1000 / sales:.2f}")
        emit("cpu_loadgen_ms_per_sale", f"{result['loadgen_cpu_s'] * 1000 / sales:.3f}")
        emit("cpu_other_s", f"{max(result['cpu']['other'] - result['loadgen_cpu_s'], 0):.1f}")
        emit("wal_bytes_per_sale", f"{result['wal_bytes'] / sales:.0f}")
        emit("pgbench_tps", f"{bench['tps']:.1f}")
        emit("pgbench_latency_ms", f"{bench['latency_ms']:.2f}")
        emit("pgbench_failed", bench["failed"])
        emit("cpu_db_ms_per_pgbench_tx", f"{bench['cpu']['db'] * 1000 / max(bench['transactions'], 1):.3f}")
        emit("cpu_pgbench_client_ms_per_tx", f"{bench['client_cpu_s'] * 1000 / max(bench['transactions'], 1):.3f}")
        emit("cpu_other_pgbench_s", f"{max(bench['cpu']['other'] - bench['client_cpu_s'], 0):.1f}")
        emit("wal_bytes_per_pgbench_tx", f"{bench['wal_bytes'] / max(bench['transactions'], 1):.0f}")
        emit("ledger_verify", "ok" if not problems else "FAILED")
        for problem in problems[:20]:
            emit("ledger_violation", problem)
        emit("sale_documents", documents_text)
        # What the ratio would be if both sides were bound by CPU alone: CPU per pgbench transaction (server and
        # client) over CPU per sale (gunicorn, server, load generator). Robust to other load on the machine.
        sale_cpu = (result["cpu"]["app"] + result["cpu"]["db"] + result["loadgen_cpu_s"]) / sales
        tx_cpu = (bench["cpu"]["db"] + bench["client_cpu_s"]) / max(bench["transactions"], 1)
        emit("cpu_ms_per_sale", f"{sale_cpu * 1000:.2f}")
        emit("cpu_ms_per_pgbench_tx", f"{tx_cpu * 1000:.3f}")
        emit("cpu_ratio", f"{tx_cpu / sale_cpu:.3f}" if sale_cpu else "n/a")
        ratio = result["tps"] / bench["tps"] if bench["tps"] else 0.0
        met = ratio >= 0.5 and result["p99_ms"] <= 50 and result["errors"] == 0
        emit("target", f"ratio >= 0.5 and p99 <= 50 ms: {'met' if met else 'not met'}")
        emit("ratio", f"{ratio:.3f}")
        return 0 if not problems and documents_ok and result["errors"] == 0 else 1


def sweep(
    args: argparse.Namespace,
    *,
    server_url: str,
    tessera_url: str,
    work: Path,
    spec: dict[str, Any],
    roots: dict[str, int | None],
) -> int:
    """Try several gunicorn shapes with the same load; prints one line per shape."""
    for n, shape in enumerate(args.sweep.split(",")):
        workers, threads = (int(x) for x in shape.lower().split("x"))
        result = checkout_phase(
            args,
            server_url=server_url,
            tessera_url=tessera_url,
            work=work,
            spec=spec,
            roots=roots,
            workers=workers,
            threads=threads,
            duration=args.duration,
            warmup=args.warmup,
            tag=f"s{n}",
        )
        sales = max(result["ok"], 1)
        emit(
            f"sweep_{workers}x{threads}",
            f"tps={result['tps']:.1f} p50={result['p50_ms']:.1f}ms p99={result['p99_ms']:.1f}ms"
            f" errors={result['errors']} app={result['cpu']['app'] * 1000 / sales:.2f}ms/sale"
            f" db={result['cpu']['db'] * 1000 / sales:.2f}ms/sale"
            f" loadgen={result['loadgen_cpu_s'] * 1000 / sales:.3f}ms/sale other={result['cpu']['other']:.1f}s"
            + (f" first_error={result['first_error']}" if result["first_error"] else ""),
        )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)

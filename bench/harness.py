"""What the PostgreSQL benchmarks share: the server they run on, a fresh database, and how they print.

``server`` starts a throwaway cluster with the benchmark's settings (``tessera.devtools.pgcluster``), or uses the
server ``--database-url`` names; ``fresh_database`` creates the run's own database on it (and, on a server the
run did not start, drops it again at the end). Every figure is printed as a ``key: value`` line on stdout, and
progress as ``# HH:MM:SS message`` on stderr.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from tessera.devtools.pgcluster import Cluster, cluster_start, url_with_database


def emit(key: str, value: object) -> None:
    print(f"{key}: {value}", flush=True)


def log(message: str) -> None:
    print(f"# {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def admin(url: str, *statements: str) -> None:
    """Run each statement in autocommit (VACUUM, CHECKPOINT, CREATE DATABASE cannot run in a transaction)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def connect(url: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url)
    conn.execute("SET TimeZone = 'UTC'")  # as Django's connections
    conn.commit()
    return conn


def server(
    database_url: str | None, settings: dict[str, str], cleanup: contextlib.ExitStack
) -> tuple[str, Cluster | None]:
    """The server URL to measure on, and the cluster if this run started one (stopped and removed at cleanup)."""
    if database_url:
        emit("database", "given by --database-url")
        return database_url, None
    cluster = cluster_start(settings=settings)
    cleanup.callback(cluster.stop)
    emit("database", f"throwaway cluster, {' '.join(f'{k}={v}' for k, v in settings.items())}")
    return cluster.url, cluster


def fresh_database(server_url: str, name: str, *, given: bool, cleanup: contextlib.ExitStack) -> str:
    """Create database ``name``; on a server given by URL it is dropped at cleanup. Returns its URL."""
    admin(server_url, f'CREATE DATABASE "{name}"')
    if given:
        cleanup.callback(admin, server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return url_with_database(server_url, name)


@dataclass(frozen=True)
class Run:
    """Where one benchmark run works: its scratch folder, its database, and the cluster if it started one."""

    home: Path
    url: str
    cluster: Cluster | None
    cleanup: contextlib.ExitStack


@contextlib.contextmanager
def bench_run(name: str, database_url: str | None, settings: dict[str, str]) -> Iterator[Run]:
    """A scratch folder, a server (a throwaway cluster unless ``database_url`` is given) and a fresh database named
    after ``name`` and this process; SIGTERM stops the run like Ctrl-C, and everything is cleaned up after it."""
    import fixtures  # the benchmark's own Django set-up, beside this module

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    with contextlib.ExitStack() as cleanup:
        home = Path(tempfile.mkdtemp(prefix=f"tessera-{name}-"))
        cleanup.callback(shutil.rmtree, home, ignore_errors=True)
        server_url, cluster = server(database_url, settings, cleanup)
        url = fresh_database(server_url, f"tessera_{name}_{os.getpid()}", given=bool(database_url), cleanup=cleanup)
        cleanup.callback(fixtures.close_connections)
        yield Run(home, url, cluster, cleanup)


@contextlib.contextmanager
def slow_statement_plans(connection: Any, *, min_ms: int) -> Iterator[list[str] | None]:
    """``auto_explain`` loaded into Django's session for the block: the plans (EXPLAIN ANALYZE, BUFFERS,
    SETTINGS) of every statement taking ``min_ms`` or more, nested ones too, sent back as notices and collected
    in the list this yields; None if this server does not let the session load it."""
    settings = {"log_min_duration": f"'{min_ms}ms'", "log_analyze": "on", "log_buffers": "on",
                "log_settings": "on", "log_nested_statements": "on", "log_level": "notice"}  # fmt: skip
    plans: list[str] = []
    connection.ensure_connection()
    raw = connection.connection

    def on_notice(diag: psycopg.errors.Diagnostic) -> None:
        if diag.message_primary and "plan:" in diag.message_primary:
            plans.append(diag.message_primary)

    try:
        with connection.cursor() as cursor:
            cursor.execute("LOAD 'auto_explain'")
            for key, value in settings.items():
                cursor.execute(f"SET auto_explain.{key} = {value}")
    except Exception as exc:
        emit("explain_unavailable", str(exc).splitlines()[0])
        yield None
        return
    raw.add_notice_handler(on_notice)
    try:
        yield plans
    finally:
        raw.remove_notice_handler(on_notice)
        with connection.cursor() as cursor:
            cursor.execute("SET auto_explain.log_min_duration = -1")

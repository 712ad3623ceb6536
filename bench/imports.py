"""Import benchmark: the whole UCI Online Retail file through ``tessera import transactions``, timed.

Usage::

    .venv/bin/python bench/imports.py --database sqlite       # a fresh SQLite file in a temporary directory
    .venv/bin/python bench/imports.py --database postgres     # a fresh database on 127.0.0.1:5432, dropped after
    .venv/bin/python bench/imports.py --quick                 # the first 50,000 lines only

One run: migrate a fresh database, set up a UK merchant (GBP, Europe/London) and its programme through Tessera's
services, then run the command as an operator would (``--create-members --round-prices``: the file names 4,372
customers who are not members yet, and four of its prices are 0.001 GBP), timed from the call to its return, a
dry run first and the import after it. Then ``tessera ledger verify`` and a second import of the same file,
which must add nothing. Prints ``key: value`` lines; the target (issue 6's importer) is well under two minutes
for the import on either database.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import sys
import tempfile
import time
from contextlib import redirect_stderr
from pathlib import Path

DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "online_retail.csv.gz"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "tessera_bench_imports"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help="the first 50,000 lines only")
    parser.add_argument("--file", type=Path, default=DATASET)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="tessera-bench-imports-"))
    os.environ["TESSERA_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tessera.config.settings"
    if args.database == "postgres":
        _pg_recreate()
        os.environ["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{home / 'bench.sqlite3'}"
    try:
        _run(args, home)
    finally:
        if args.database == "postgres":
            from django.db import connections

            connections.close_all()
            _pg_drop()


def _run(args: argparse.Namespace, home: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    source = args.file
    if args.quick:
        source = home / "online_retail_50k.csv.gz"
        with gzip.open(args.file, "rt", encoding="utf-8", newline="") as full, gzip.open(source, "wt") as part:
            part.writelines(line for _, line in zip(range(50_001), full, strict=False))
    call_command("migrate", verbosity=0)
    program = _world()
    argv = ["import", "transactions", str(source), "--program", program, "--create-members", "--round-prices"]
    print(f"database: {os.environ['DATABASE_URL'].split(':', 1)[0]}")
    print(f"file: {source.name}")
    for label, extra in (("dry_run", ["--dry-run"]), ("import", []), ("again", [])):
        out = io.StringIO()
        started = time.perf_counter()
        with redirect_stderr(sys.stderr):
            call_command(*argv, *extra, stdout=out)
        seconds = time.perf_counter() - started
        summary = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
        print(f"{label}_s: {seconds:.1f}")
        print(
            f"{label}: invoices {summary['invoices']}, lines {summary['lines']}, members created "
            f"{summary['members created']}, already imported {summary['already imported']}, {summary['result']}"
        )
        if label == "import":
            _verify()


def _world() -> str:
    from tessera.programs.services import program_create
    from tessera.stores.services import merchant_create

    merchant = merchant_create(name="Online Retail", country="GB", timezone="Europe/London", currency="GBP")
    return program_create(owner=merchant, name="Online Retail club").public_id


def _verify() -> None:
    from tessera.ledger.verify import ledger_verify

    started = time.perf_counter()
    violations = ledger_verify()
    print(f"ledger_verify_s: {time.perf_counter() - started:.1f}")
    print(f"ledger_verify: {violations or 'ok'}")


def _pg_recreate() -> None:
    _pg_drop()
    _pg_admin(f"CREATE DATABASE {PG_DB}")


def _pg_drop() -> None:
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


if __name__ == "__main__":
    main()

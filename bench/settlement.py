"""Settlement benchmark: closing a month of a 200-store chain against one hand-written aggregate query, on PostgreSQL.

Usage::

    .venv/bin/python bench/settlement.py              # full run: 10,000,000 postings in the month
    .venv/bin/python bench/settlement.py --quick      # 500,000 postings, under two minutes
    .venv/bin/python bench/settlement.py --explain /tmp/settlement   # also the plans of both sides

One run, in this order: start a throwaway PostgreSQL cluster (unless ``--database-url`` names a server, where one
database is created and dropped again), migrate a fresh database, create a merchant in Asia/Shanghai (CNY) with 200
stores besides its headquarters, a programme and the stores' programme accounts through Tessera's services, then
bulk-write the members with their four accounts and the postings with their entries with ``generate_series``
(``settlement_data.py`` says exactly what: November 2026 holds ``--postings`` postings, the months either side 2 %
as many each, about 3.3 entries a posting; two sessions load at once, and the postings' and entries' secondary
indexes are built after the rows). VACUUM (FREEZE, ANALYZE) and a CHECKPOINT follow. Members' cached balances are
not kept consistent with their entries and no lots are written: the benchmark never runs ``tessera ledger verify``,
whose balance and lot checks would fail by construction.

Two things are measured on the same data in the same run:

- the **reference**: the one aggregate query an analyst would write for the published formula (``REFERENCE``:
  every entry of the month's postings on a store account, summed per store, account kind and origin store),
  fetched to the client, on its own psycopg connection;
- the **close**: ``tessera.settlement.services.settlement_close`` for November, called as the console calls it
  (a headquarters actor, ``system='bench'``, at 15:00 on 1 December, when the month after holds its 2 %), in
  this process. That is the whole service: lock the programme, count the month's postings, read the opening
  positions and the month's flows from the ledger, the arithmetic, and the period, 201 statements, the
  obligations, the transfers and the audit record written in one transaction.

A close can happen once, so the measured closes are rolled back by the database itself, at their COMMIT: the
run adds a deferred constraint trigger on ``audit_auditrecord`` (the close's last write) that fires at COMMIT,
after every deferred foreign-key check of the close's rows, adds up the figures the close wrote (a
fingerprint: counts and sums of the period's statements, obligations and transfers) and, while the session
setting ``bench.close`` is ``rollback``, raises with that fingerprint in its message; Django then rolls the
transaction back and the service raises. So the measured code is the service, unchanged, up to the flush of its
commit. The last close commits (the trigger only records its fingerprint) and must have the same fingerprint
as every rolled-back one; its rows are then checked against the reference's result: per store, principal
taken in and spent here, bonus granted and spent, points issued and redeemed, what others' value spent here
and this store's value spent elsewhere add up to, owed to and owed by; per pair of stores, every obligation;
the transfers netted independently; nets summing to zero; the opening positions against the month before; the
period's posting count and last posting against the load.

Order: one untimed warm-up of each (so the first timed run reads from memory as every later one does, and the
close's Python code is loaded), then ``--rounds`` rounds with the order alternated (reference then close, close
then reference, ...), every timed run after VACUUM ANALYZE of the tables a close touches and a CHECKPOINT,
then the committed close, with the service's steps timed one by one (``close_breakdown_s``: the functions it
calls wrapped, which costs microseconds; a step a later version adds shows up as ``other``). ``--explain``
adds, before the committed close, EXPLAIN ANALYZE of the reference and one more rolled-back close under
``auto_explain`` (every statement of 500 ms or more, whatever the code sends), so their plans can be compared.

Prints ``key: value`` lines; the last is ``ratio``: the mean rolled-back close time over the mean reference time
(the mean over the rounds). Target (issue 5): ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fixtures  # noqa: E402
import settlement_data as data  # noqa: E402
from harness import admin, bench_run, connect, emit, log, slow_statement_plans  # noqa: E402

# As nightly.py: durable commits, memory for a 24 GiB machine, checkpoints kept out of the measured runs.
PG_SETTINGS = {
    "shared_buffers": "2GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "1h",
    "max_connections": "50",
}
CLOSE_AT = datetime(2026, 12, 1, 15, 0, tzinfo=ZoneInfo(data.TIMEZONE))
RATIO_TARGET = 1.5
TOUCHED = (
    "programs_program",
    "settlement_settlementperiod",
    "settlement_storestatement",
    "settlement_obligation",
    "settlement_transfer",
    "audit_auditrecord",
    "bench_close_print",
)

# What an analyst writes for the published formula: the month's movements on store accounts, per store, kind
# and origin store. It reads the same postings, entries and accounts the close reads.
REFERENCE = """
    SELECT a.store_id, a.kind, e.origin_store_id, SUM(e.amount)
    FROM ledger_posting p
    JOIN ledger_entry e ON e.posting_id = p.id
    JOIN ledger_account a ON a.id = e.account_id
    WHERE p.program_id = %s AND p.created_at >= %s AND p.created_at < %s AND a.store_id IS NOT NULL
    GROUP BY 1, 2, 3"""

# The fingerprint of a close, computed at its COMMIT (see the docstring), and the rollback.
FINGERPRINT = """
    SELECT concat_ws(' ',
        'period', p.postings, p.last_posting_id,
        'statements', (SELECT concat_ws(',', COUNT(*), SUM(principal_opening_minor), SUM(principal_taken_in_minor),
                              SUM(principal_spent_here_minor), SUM(principal_receivable_minor),
                              SUM(principal_closing_minor), SUM(bonus_granted_minor), SUM(bonus_spent_here_minor),
                              SUM(points_issued), SUM(points_redeemed_here), SUM(points_receivable),
                              SUM(receivable_minor), SUM(abs(net_minor)), SUM(net_minor),
                              SUM(store_id::numeric * net_minor))
                       FROM settlement_storestatement WHERE period_id = p.id),
        'obligations', (SELECT concat_ws(',', COUNT(*), SUM(principal_minor), SUM(bonus_face_minor), SUM(points),
                               SUM(total_minor), SUM(debtor_id::numeric * creditor_id * total_minor))
                        FROM settlement_obligation WHERE period_id = p.id),
        'transfers', (SELECT concat_ws(',', COUNT(*), SUM(amount_minor), SUM(payer_id::numeric * amount_minor))
                      FROM settlement_transfer WHERE period_id = p.id))
    FROM settlement_settlementperiod p WHERE p.public_id = NEW.object_id"""
ROLLBACK_PREFIX = "bench: close rolled back at commit"
TRIGGER_INSTALL = (
    "CREATE TABLE bench_close_print (id bigserial PRIMARY KEY, period text NOT NULL, print text NOT NULL)",
    f"""
    CREATE FUNCTION bench_close_finish() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        print text;
    BEGIN
        {FINGERPRINT} INTO print;
        IF current_setting('bench.close', true) = 'rollback' THEN
            RAISE EXCEPTION '{ROLLBACK_PREFIX}: %', print;
        END IF;
        INSERT INTO bench_close_print (period, print) VALUES (NEW.object_id, print);
        RETURN NULL;
    END $$""",
    # "zz_": after the record's own foreign-key triggers, which fire in name order for the same row.
    """
    CREATE CONSTRAINT TRIGGER zz_bench_close_finish AFTER INSERT ON audit_auditrecord
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.action = 'settlement.close')
        EXECUTE FUNCTION bench_close_finish()""",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Settlement close against one aggregate query on PostgreSQL.")
    parser.add_argument("--quick", action="store_true", help="500,000 postings (under two minutes)")
    parser.add_argument("--postings", type=int, help="postings in the month (default 10,000,000)")
    parser.add_argument("--members", type=int, help="members (default: one per 10 postings of the month)")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds, order alternated (default 2)")
    parser.add_argument("--database-url", help="use this PostgreSQL server instead of a throwaway cluster")
    parser.add_argument("--explain", type=Path, help="write both sides' plans here (one more run each)")
    args = parser.parse_args()
    args.postings = args.postings or (500_000 if args.quick else 10_000_000)
    args.members = args.members or max(args.postings // 10, 1000)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


# ---------------------------------------------------------------- database housekeeping


def settle(url: str) -> None:
    """VACUUM ANALYZE what a close touches (a rolled-back close's dead rows out of the way) and CHECKPOINT."""
    admin(url, *(f"VACUUM (ANALYZE) {t}" for t in TOUCHED), "CHECKPOINT")


# ---------------------------------------------------------------- the two sides


@dataclass
class Run:
    seconds: float
    cpu_s: float = 0.0  # this process's CPU during the run
    rows: list[tuple[Any, ...]] | None = None  # the reference's result
    print: str = ""  # the close's fingerprint
    ended: float = 0.0  # perf_counter when the close returned or raised


def reference_run(url: str, program_id: int) -> Run:
    start, end = data.month_bounds()
    with contextlib.closing(connect(url)) as conn:
        cpu, started = time.process_time(), time.perf_counter()
        rows = conn.execute(REFERENCE, [program_id, start, end]).fetchall()  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        conn.rollback()
    return Run(seconds, time.process_time() - cpu, rows=rows)


def close_run(org: data.Org, *, commit: bool) -> Run:
    """``settlement_close`` for the month; rolled back at its COMMIT unless ``commit``."""
    from django.db import DatabaseError, connection

    from tessera.programs.models import Program
    from tessera.settlement.services import settlement_close
    from tessera.stores.selectors import headquarters_actor

    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('bench.close', %s, false)", ["commit" if commit else "rollback"])
    program = Program.objects.get(id=org.program_id)
    actor = headquarters_actor(merchant_id=org.merchant_id, system="bench")
    cpu, started = time.process_time(), time.perf_counter()
    try:
        period = settlement_close(program=program, year=data.YEAR, month=data.MONTH, actor=actor, now=CLOSE_AT)
    except DatabaseError as exc:
        ended, cpu = time.perf_counter(), time.process_time() - cpu
        message = str(exc).splitlines()[0]
        if commit or not message.startswith(ROLLBACK_PREFIX):
            raise
        return Run(ended - started, cpu, print=message.removeprefix(ROLLBACK_PREFIX + ": "), ended=ended)
    ended, cpu = time.perf_counter(), time.process_time() - cpu
    if not commit:
        raise RuntimeError("the close committed although it should have been rolled back")
    with connection.cursor() as cursor:
        cursor.execute("SELECT print FROM bench_close_print WHERE period = %s", [period.public_id])
        (fingerprint,) = cursor.fetchone()
    return Run(ended - started, cpu, print=fingerprint, ended=ended)


# The close's steps, as the service module calls them (its globals), and what ``settlement_compute`` calls in
# turn; a name a later version drops is skipped, a step it adds shows up in ``other``.
SERVICE_STEPS = ("_close_check", "month_postings", "settlement_compute", "merchant_settlement_compute", "terms_for",
                 "commission_of", "_rows_write", "_merchant_rows_write", "audit_record")  # fmt: skip
COMPUTE_STEPS = ("period_previous", "held_at_close", "held_before", "month_flows", "flows_and_opening",
                 "program_store_ids", "terms_for", "settle")  # fmt: skip


def close_timed(org: data.Org, *, commit: bool) -> tuple[Run, list[tuple[str, float]], int]:
    """``close_run`` with the service's steps timed (its module's functions wrapped, microseconds each); returns
    the run, (step, seconds) in the order the steps ran, and the number of flow rows."""
    from unittest import mock

    from tessera.settlement import selectors, services

    spent: dict[str, float] = {}
    flows = [0]
    audit_end = [0.0]

    def timed(module: Any, name: str, label: str) -> Any:
        real = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = real(*args, **kwargs)
            finally:
                now = time.perf_counter()
                spent[label] = spent.get(label, 0.0) + now - started
                audit_end[0] = now if name == "audit_record" else audit_end[0]
            if name == "month_flows":
                flows[0] = len(result)
            elif name == "flows_and_opening":
                flows[0] = len(result[0])
            return result

        return mock.patch.object(module, name, wrapper)

    with contextlib.ExitStack() as stack:
        for name in SERVICE_STEPS:
            if hasattr(services, name):
                stack.enter_context(timed(services, name, name))
        for name in COMPUTE_STEPS:
            if hasattr(selectors, name):
                stack.enter_context(timed(selectors, name, f"  {name}"))
        run = close_run(org, commit=commit)
    inner = ", ".join(f"{k.strip()} {v:.2f}" for k, v in spent.items() if k.startswith(" "))
    steps = [(k if k != "settlement_compute" else f"{k} ({inner})", v) for k, v in spent.items() if k[0] != " "]
    commit_s = run.ended - audit_end[0]
    other = run.seconds - sum(v for _, v in steps) - commit_s
    return run, [*steps, ("commit with the deferred foreign-key checks", commit_s), ("other", other)], flows[0]


# ---------------------------------------------------------------- checks against the reference


def checks(url: str, org: data.Org, loaded: data.Loaded, reference: list[tuple[Any, ...]]) -> list[str]:
    """The committed close's rows against the reference's result and the load (see the module's docstring)."""
    from tessera.settlement.models import Obligation, SettlementPeriod, StoreStatement, Transfer
    from tessera.settlement.rules import round_half_away

    problems: list[str] = []
    period = SettlementPeriod.objects.get(program_id=org.program_id, year=data.YEAR, month=data.MONTH)
    if (period.postings, period.last_posting_id) != (loaded.month_postings, loaded.last_month_posting_id):
        problems.append(f"period covers {period.postings} postings up to {period.last_posting_id}, loaded "
                        f"{loaded.month_postings} up to {loaded.last_month_posting_id}")  # fmt: skip
    # From the reference: per store and kind, and per (origin, store) pair and category.
    here: dict[tuple[int, str], int] = defaultdict(int)
    pair: dict[tuple[int, int, str], int] = defaultdict(int)
    category = {"store_sv_principal_in": "principal", "store_sv_principal_out": "principal",
                "store_sv_bonus_in": "bonus", "store_sv_bonus_out": "bonus",
                "store_points_issued": "points", "store_points_redeemed": "points"}  # fmt: skip
    for store, kind, origin, total in reference:
        here[(store, kind)] += int(total)
        if origin is not None:
            pair[(origin, store, category[kind])] += int(total)
    receivable, payable = defaultdict(int), defaultdict(int)
    for (debtor, creditor, what), total in pair.items():
        receivable[(creditor, what)] += total
        payable[(debtor, what)] += total
    value: dict[tuple[int, int], int] = defaultdict(int)
    for (debtor, creditor, what), total in pair.items():
        if what == "principal":
            value[(debtor, creditor)] += total
        elif what == "bonus":
            value[(debtor, creditor)] += round_half_away(total * period.bonus_rate_bp, 10_000)
        else:
            value[(debtor, creditor)] += round_half_away(total * period.point_value_minor, period.point_value_points)
    owed_to, owed_by = defaultdict(int), defaultdict(int)
    for (debtor, creditor), total in value.items():
        owed_to[creditor] += total
        owed_by[debtor] += total

    statements = list(StoreStatement.objects.filter(period=period))
    if sorted(s.store_id for s in statements) != sorted(org.store_ids):
        problems.append(f"{len(statements)} statements for {len(org.store_ids)} stores")
    for s in statements:
        expected = {
            "principal_taken_in_minor": -here[(s.store_id, "store_sv_principal_in")],
            "principal_paid_back_minor": 0,
            "principal_spent_here_minor": here[(s.store_id, "store_sv_principal_out")],
            "principal_receivable_minor": receivable[(s.store_id, "principal")],
            "principal_payable_minor": payable[(s.store_id, "principal")],
            "bonus_granted_minor": -here[(s.store_id, "store_sv_bonus_in")],
            "bonus_spent_here_minor": here[(s.store_id, "store_sv_bonus_out")],
            "bonus_receivable_minor": receivable[(s.store_id, "bonus")],
            "bonus_payable_minor": payable[(s.store_id, "bonus")],
            "points_issued": -here[(s.store_id, "store_points_issued")],
            "points_redeemed_here": here[(s.store_id, "store_points_redeemed")],
            "points_receivable": receivable[(s.store_id, "points")],
            "points_payable": payable[(s.store_id, "points")],
            "receivable_minor": owed_to[s.store_id],
            "payable_minor": owed_by[s.store_id],
            "adjustments_minor": 0,
            "net_minor": owed_to[s.store_id] - owed_by[s.store_id],
        }
        wrong = {k: (getattr(s, k), v) for k, v in expected.items() if getattr(s, k) != v}
        if wrong:
            problems.append(f"store {s.store_id}: (statement, reference) {wrong}")
    if (total_net := sum(s.net_minor for s in statements)) != 0:
        problems.append(f"nets sum to {total_net}")

    obligations = {(o.debtor_id, o.creditor_id): o for o in Obligation.objects.filter(period=period)}
    pairs = {(d, c) for d, c, _ in pair}
    if set(obligations) != pairs:
        problems.append(f"{len(obligations)} obligations for {len(pairs)} pairs of stores in the reference")
    for (debtor, creditor), o in obligations.items():
        got = (o.principal_minor, o.bonus_face_minor, o.points, o.total_minor)
        want = (pair[(debtor, creditor, "principal")], pair[(debtor, creditor, "bonus")],
                pair[(debtor, creditor, "points")], value[(debtor, creditor)])  # fmt: skip
        if got != want:
            problems.append(f"obligation {debtor} -> {creditor}: {got}, reference {want}")
            break
    netted: dict[tuple[int, int], int] = {}
    for debtor, creditor in {*value, *((c, d) for d, c in value)}:
        owed = value.get((debtor, creditor), 0) - value.get((creditor, debtor), 0)
        if owed > 0:
            netted[(debtor, creditor)] = owed
    transfers = {(t.payer_id, t.payee_id): t.amount_minor for t in Transfer.objects.filter(period=period)}
    if transfers != netted:
        problems.append(f"{len(transfers)} transfers, {len(netted)} netted from the reference; they differ")

    # Opening positions: what members held of each store's money when the month began, from the month before.
    start, _end = data.month_bounds()
    with contextlib.closing(connect(url)) as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(e.amount) FILTER (WHERE a.kind LIKE 'store_sv_principal%%'), 0),"
            " COALESCE(SUM(e.amount) FILTER (WHERE a.kind LIKE 'store_sv_bonus%%'), 0)"
            " FROM ledger_posting p JOIN ledger_entry e ON e.posting_id = p.id"
            " JOIN ledger_account a ON a.id = e.account_id"
            " WHERE p.program_id = %s AND p.created_at < %s AND a.store_id IS NOT NULL",
            [org.program_id, start],
        ).fetchone()
        conn.rollback()
    assert row is not None
    opening = (sum(s.principal_opening_minor for s in statements), sum(s.bonus_opening_minor for s in statements))
    if opening != (-int(row[0]), -int(row[1])):
        problems.append(f"opening principal and bonus {opening}, the month before says {(-row[0], -row[1])}")
    return problems


# ---------------------------------------------------------------- main


def setup(args: argparse.Namespace, url: str, home: Path) -> tuple[data.Org, data.Loaded]:
    started = time.perf_counter()
    fixtures.django_setup(database_url=url, home=home)
    fixtures.migrate()
    emit("setup_migrate_s", f"{time.perf_counter() - started:.1f}")
    started = time.perf_counter()
    org = data.org_create()
    fixtures.close_connections()
    emit("setup_services_s", f"{time.perf_counter() - started:.1f}")
    started = time.perf_counter()
    loaded, timings = data.load(url, org, postings=args.postings, members=args.members, log=log)
    for key, value in timings.items():
        emit(key, f"{value:.1f}")
    emit("load_s", f"{time.perf_counter() - started:.1f}")
    started = time.perf_counter()
    admin(url, "VACUUM (FREEZE, ANALYZE)", "CHECKPOINT")
    emit("vacuum_freeze_s", f"{time.perf_counter() - started:.1f}")
    admin(url, *TRIGGER_INSTALL)
    return org, loaded


def main() -> int:
    args = parse_args()
    with bench_run("settlement", args.database_url, PG_SETTINGS) as run:
        started = time.perf_counter()
        org, loaded = setup(args, run.url, run.home)
        emit("setup_s", f"{time.perf_counter() - started:.1f}")
        return measure(args, run.url, org, loaded)
    return 1  # not reached: the with block returns


def sizes(url: str, org: data.Org, loaded: data.Loaded) -> list[str]:
    """Print what was loaded; returns problems found (postings that do not balance)."""
    with contextlib.closing(connect(url)) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        row = conn.execute(
            "SELECT pg_total_relation_size('ledger_posting'), pg_total_relation_size('ledger_entry'),"
            " pg_total_relation_size('ledger_account'), pg_database_size(current_database())"
        ).fetchone()
        month_entries = conn.execute(
            "SELECT COUNT(*) FROM ledger_entry WHERE posting_id BETWEEN %s AND %s",
            [loaded.first_month_posting_id, loaded.last_month_posting_id],
        ).fetchone()
        unbalanced = data.unbalanced_postings(conn, loaded)
        conn.rollback()
    assert version is not None
    assert row is not None
    assert month_entries is not None
    gib = 1024**3
    emit("postgresql", version[0])
    emit("stores", f"{len(org.store_ids) - 1} + headquarters")
    emit("members", loaded.members)
    emit("postings", f"{loaded.month_postings} in {data.YEAR}-{data.MONTH:02d} ({data.TIMEZONE}), "
                     f"{loaded.before} before, {loaded.after} after")  # fmt: skip
    emit("entries", f"{month_entries[0]} in the month, {loaded.entries} in all")
    emit("entries_per_posting", f"{loaded.entries / loaded.postings:.2f}")
    emit("table_gib", f"postings {row[0] / gib:.2f}, entries {row[1] / gib:.2f}, accounts {row[2] / gib:.2f}, "
                      f"database {row[3] / gib:.2f}")  # fmt: skip
    emit("unbalanced_postings", f"{unbalanced} of the month's first {data.BALANCE_SAMPLE:,}")
    return [f"{unbalanced} postings do not balance"] if unbalanced else []


def measure(args: argparse.Namespace, url: str, org: data.Org, loaded: data.Loaded) -> int:
    problems = sizes(url, org, loaded)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log("warm-up")
    settle(url)
    warm_ref = reference_run(url, org.program_id)
    settle(url)
    warm_close = close_run(org, commit=False)
    emit("warmup_s", f"reference {warm_ref.seconds:.2f}, close {warm_close.seconds:.2f}")
    refs: list[Run] = []
    closes: list[Run] = []
    for n in range(1, args.rounds + 1):
        order = ("reference", "close") if n % 2 else ("close", "reference")
        for side in order:
            log(f"round {n}: {side}")
            settle(url)
            if side == "reference":
                refs.append(reference_run(url, org.program_id))
            else:
                closes.append(close_run(org, commit=False))
    if args.explain:
        log("explain")
        explain(url, org, args.explain)  # a rolled-back close: before the committed one
    log("committed close")
    settle(url)
    committed, steps, flows_rows = close_timed(org, commit=True)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    prints = {run.print for run in [warm_close, *closes, committed]}
    if len(prints) != 1:
        problems.append(f"the closes wrote different figures: {sorted(prints)}")
    if any(set(run.rows or []) != set(warm_ref.rows or []) for run in refs):
        problems.append("the reference runs returned different rows")
    reference = refs[-1].rows or []
    problems += checks(url, org, loaded, reference)

    ref_mean = sum(r.seconds for r in refs) / len(refs)
    close_mean = sum(r.seconds for r in closes) / len(closes)
    emit("reference_rows", len(reference))
    emit("flows_rows", flows_rows)
    emit("close_fingerprint", committed.print)
    emit("rounds", "; ".join(
        f"round {n}: {'reference first' if n % 2 else 'close first'}, reference {r.seconds:.2f} s, "
        f"close {c.seconds:.2f} s" for n, (r, c) in enumerate(zip(refs, closes, strict=True), 1)))  # fmt: skip
    emit("reference_s", f"{ref_mean:.2f}")
    emit("close_s", f"{close_mean:.2f} (rolled back at commit)")
    emit("close_committed_s", f"{committed.seconds:.2f}")
    emit("committed_ratio", f"{committed.seconds / ref_mean:.2f}")
    emit("close_client_cpu_s", " / ".join(f"{r.cpu_s:.2f}" for r in [*closes, committed]))
    emit("close_breakdown_s", "; ".join(f"{k} {v:.2f}" for k, v in steps))
    emit("peak_rss_mib", f"{rss_after:.0f} (before the closes {rss_before:.0f}; this process, PostgreSQL not included)")
    for problem in problems:
        emit("problem", problem)
    emit("checks", "ok" if not problems else f"FAILED ({len(problems)})")
    ratio = close_mean / ref_mean
    emit("target", f"ratio <= {RATIO_TARGET:g}: {'met' if ratio <= RATIO_TARGET else 'not met'}")
    emit("ratio", f"{ratio:.2f}")
    return 0 if not problems else 1


def explain(url: str, org: data.Org, out: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the reference, and the plans of every statement of one more rolled-back close
    that takes 500 ms or more (``auto_explain`` loaded into this process's Django session, its plans sent back as
    notices, so whatever the close's code sends is caught), written to ``out``."""
    from django.db import connection

    out.mkdir(parents=True, exist_ok=True)
    start, end = data.month_bounds()
    with contextlib.closing(connect(url)) as conn:
        rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, SETTINGS) {REFERENCE}", [org.program_id, start, end])
        text = "\n".join(r[0] for r in rows.fetchall())
        conn.rollback()
    (out / "explain-reference.txt").write_text(text + "\n")
    emit("explain_reference", f"{out / 'explain-reference.txt'} ({text.splitlines()[-1].strip()})")
    with slow_statement_plans(connection, min_ms=500) as plans:
        if plans is None:  # not allowed to load it on this server: say so, measure on
            emit("explain_close", "auto_explain not available")
            return
        settle(url)
        run = close_run(org, commit=False)
    (out / "explain-close.txt").write_text("\n\n".join(plans) + "\n")
    durations = [p.split(" ms", 1)[0].removeprefix("duration: ") for p in plans]
    emit("explain_close", f"{out / 'explain-close.txt'} (a close of {run.seconds:.1f} s under auto_explain; "
                          f"statements >= 500 ms: {', '.join(d + ' ms' for d in durations)})")  # fmt: skip


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)

"""Summarise a py-spy ``--format raw --idle`` recording of gunicorn workers: where a checkout request's time goes.

Usage: ``pyspy_summary.py pyspy-raw.txt [--sales N] [--rate HZ]``. Only samples of threads that are inside a
request (below gunicorn's ``handle_request``) count; idle pool threads and the workers' main loops are left
out. Two tables: wall time by what the request thread was doing at the sampled instant (its innermost frame's
package, with psycopg's waits for the server split out), and inclusive wall time of the request's phases.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

REQUEST_MARK = "handle_request (gunicorn/workers/gthread.py"
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^:()]+)(?::\d+)?\)$")

# Inclusive phases: a sample counts towards every phase whose function is on its stack.
PHASES = [
    ("request: whole (gunicorn handle_request)", "handle_request (gunicorn/workers/gthread.py"),
    ("django: connection open (connect + session setup)", "connect (django/db/backends/base/base.py"),
    ("django: request_started/finished signals (close_old_connections)", "close_old_connections (django/db"),
    ("outside the ninja view (gunicorn, WSGI, middleware)", "!_sync_view (ninja/operation.py"),
    ("ninja: operation run (auth + parsing + view)", "Operation.run (ninja/operation.py"),
    ("ninja: terminal-key auth", "terminal_key_authenticate (tessera/stores/selectors.py"),
    ("ninja: request body parsing/validation", "Operation._get_values (ninja/operation.py"),
    ("view: sale_commit (the service)", "sale_commit (tessera/checkout/services/sale.py"),
    ("  sale: idempotency claim", "claim_key (tessera/checkout/services/common.py"),
    ("  sale: member lookup", "member_for_actor (tessera/checkout/services/common.py"),
    ("  sale: lock member accounts", "member_accounts_lock (tessera/ledger/services.py"),
    ("  sale: duplicate document check", "duplicate_document (tessera/checkout/services/common.py"),
    ("  sale: posting_write (posting + entries + balances)", "posting_write (tessera/ledger/services.py"),
    ("    posting: balance UPDATE (Case/When)", "_apply_deltas (tessera/ledger/services.py"),
    ("  sale: ORM Model.save (posting and document rows)", "Model.save (django/db/models/base.py"),
    ("  sale: _lines_write", "_lines_write (tessera/checkout/services/sale.py"),
    ("  sale: member stats", "member_stats_sale (tessera/members/stats.py"),
    ("  sale: idempotency complete", "idempotency_complete (tessera/idempotency/services.py"),
    ("  sale: COMMIT (transaction exit)", "Atomic.__exit__ (django/db/transaction.py"),
    ("response: json rendering", "json_response (tessera/kit/http.py"),
]


def leaf_bucket(frames: list[str]) -> str:
    """What the thread was doing: waiting for PostgreSQL, or running code of which package."""
    joined = ";".join(frames)
    if "Connection.wait (psycopg/connection.py" in joined or "wait_c (psycopg" in joined:
        if "_connect_gen" in joined or "Connection.connect (psycopg" in joined:
            return "wait: PostgreSQL connection set-up"
        if "commit (psycopg/connection.py" in joined:
            return "wait: PostgreSQL COMMIT (WAL flush)"
        return "wait: PostgreSQL statement round trip"
    for frame in reversed(frames):
        match = FRAME.match(frame)
        if not match:
            continue
        path = match["file"]
        top = path.split("/")[0]
        if top == "django":
            sub = path.split("/")[1] if "/" in path else ""
            return "cpu: django.db (ORM, query compile)" if sub == "db" else f"cpu: django.{sub}"
        if top in {"psycopg", "ninja", "pydantic", "pydantic_core", "gunicorn", "tessera", "orjson", "whitenoise"}:
            return f"cpu: {top}"
        if top in {"django_htmx", "ulid", "phonenumbers", "dj_database_url"}:
            return f"cpu: {top}"
    leaf = FRAME.match(frames[-1]) if frames else None
    return f"cpu: stdlib ({leaf['file'] if leaf else '?'})"


def parse(path: str) -> tuple[Counter[str], Counter[str], int, int]:
    leaves: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    request_samples = other_samples = 0
    with open(path) as f:
        for line in f:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            if not count_text.isdigit():
                continue
            count = int(count_text)
            frames = [fr for fr in stack.split(";") if not fr.startswith(("process ", "thread "))]
            joined = ";".join(frames)
            if REQUEST_MARK not in joined:
                other_samples += count
                continue
            request_samples += count
            leaves[leaf_bucket(frames)] += count
            for name, marker in PHASES:
                # "!marker": the sample is in a request but not below ``marker``.
                if (marker[1:] not in joined) if marker.startswith("!") else (marker in joined):
                    phases[name] += count
    return leaves, phases, request_samples, other_samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raw")
    parser.add_argument("--sales", type=int, help="sales committed while recording, for ms per sale")
    parser.add_argument("--rate", type=float, default=100.0, help="py-spy sampling rate used (Hz)")
    args = parser.parse_args()
    leaves, phases, total, other = parse(args.raw)
    per_sale = (1000.0 / args.rate / args.sales) if args.sales else None

    def row(name: str, count: int) -> str:
        share = 100.0 * count / max(total, 1)
        ms = f"{count * per_sale:7.2f} ms/sale" if per_sale else ""
        return f"{share:6.1f}%  {ms}  {name}"

    print(f"request-thread samples: {total} (idle/other thread samples left out: {other})")
    print("\n# what the request thread was doing (innermost frame)")
    for name, count in leaves.most_common():
        print(row(name, count))
    print("\n# inclusive time of request phases")
    for name, _ in PHASES:
        if phases[name]:
            print(row(name, phases[name]))


if __name__ == "__main__":
    main()

"""Run one nightly job in this process, as a worker would, and print what it did as one JSON line.

Usage (bench/nightly.py starts it; it is also handy by hand)::

    python bench/nightly_job.py --database-url URL --home DIR --job points.expiry --program-id 3 --date 2026-03-01

The job is the registered function itself (``points_expiry_run`` or ``tier_evaluation_run``), called once
outside any transaction; ``seconds`` covers that call only, not the interpreter's and Django's start. The
parent reads the whole process's peak memory from ``wait4``; ``maxrss_kib`` here is the same figure as seen
from inside, for a run by hand.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fixtures

JOBS = {
    "points.expiry": ("tessera.points.jobs", "points_expiry_run"),
    "tiers.evaluation": ("tessera.tiers.services.evaluation", "tier_evaluation_run"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--job", choices=sorted(JOBS), required=True)
    parser.add_argument("--program-id", type=int, required=True)
    parser.add_argument("--date", type=date.fromisoformat, required=True)
    parser.add_argument("--batch-size", type=int, help="the job's own default when not given")
    args = parser.parse_args()
    fixtures.django_setup(database_url=args.database_url, home=args.home)
    import importlib

    module, name = JOBS[args.job]
    job = getattr(importlib.import_module(module), name)
    kwargs = {"batch_size": args.batch_size} if args.batch_size else {}
    started = time.perf_counter()
    summary = job(program_id=args.program_id, local_date=args.date, **kwargs)
    seconds = time.perf_counter() - started
    fixtures.close_connections()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "summary": summary, "maxrss_kib": maxrss}, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

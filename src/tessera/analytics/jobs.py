"""The nightly RFM run as a programme job (``messaging.jobs``): score each programme after local midnight.

``analytics.rfm`` runs once per programme and local day D, after 00:30 in the programme's time zone, with D as
the reference date: the day after the day that has just ended, so a purchase yesterday is one day ago. Purchases
recorded between midnight and the run count as zero days ago. A day the worker reaches late (D before today,
after an outage) is skipped: the statistics hold only each member's latest purchase, so D can no longer be
scored, and today's run covers it. The service is idempotent per reference date, so a rerun returns the same run.
A run writes no row per member, so nothing is pruned (the ``analytics.rfm_prune`` job is gone).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from tessera.analytics.services import rfm_run_create
from tessera.kit.clock import now as clock_now
from tessera.members.lifecycle import program_local_date
from tessera.messaging.jobs import register_job
from tessera.programs.models import Program


def rfm_nightly(*, program_id: int, local_date: date) -> dict[str, Any]:
    program = Program.objects.get(id=program_id)
    now = clock_now()
    if local_date < program_local_date(program, now):
        return {"skipped": f"{local_date} has passed; today's run scores the programme"}
    run = rfm_run_create(program=program, reference_date=local_date, now=now)
    return {"run": run.id, "reference_date": run.reference_date.isoformat(), "members_scored": run.members_scored}


register_job("analytics.rfm", rfm_nightly, at_local_time=time(0, 30))

"""The nightly lapse: gifts nobody claimed before their window closed become lost, set-based and resumable."""

from __future__ import annotations

from datetime import date
from typing import Any

from tessera.kit.db import db_datetime, sql_run, use_case
from tessera.programs.models import Program
from tessera.rewards.models import RewardGrant
from tessera.rewards.rules import local_midnight

_GRANTS = RewardGrant._meta.db_table
BATCH_SIZE = 5000


def rewards_lapse_run(*, program_id: int, local_date: date, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Mark lost every unclaimed gift of the programme whose claim window closed by the start of ``local_date``.

    Run at local midnight for the day that begins. Each batch is one UPDATE in its own transaction, so a crash
    loses at most the batch under way; running again (or twice) finds only what is still unlocked, so nothing is
    lost twice. ``lost_at`` is the moment the window closed, not when the job ran, which keeps reruns identical.
    """
    program = Program.objects.get(id=program_id)
    cutoff = local_midnight(local_date, program.timezone)
    lost = batches = 0
    while True:
        with use_case():
            changed = _lapse_batch(program_id=program_id, cutoff=db_datetime(cutoff), batch_size=batch_size)
        lost += changed
        batches += 1
        if changed < batch_size:
            break
    return {
        "program_id": program_id,
        "local_date": local_date.isoformat(),
        "cutoff": cutoff.isoformat(),
        "lost": lost,
        "batches": batches,
    }


def _lapse_batch(*, program_id: int, cutoff: Any, batch_size: int) -> int:
    # The outer "state = 'unlocked'" is re-checked on rows a concurrent claim held locked: a gift claimed while
    # this statement waited stays claimed.
    return sql_run(
        f"UPDATE {_GRANTS} SET state = 'lost', lost_at = claim_until"  # noqa: S608
        f" WHERE state = 'unlocked' AND id IN (SELECT id FROM {_GRANTS}"
        " WHERE program_id = %s AND state = 'unlocked' AND claim_until <= %s ORDER BY id LIMIT %s)",
        [program_id, cutoff, batch_size],
    )

"""The monthly close as a programme job: on the first local day of a month, close every ended month still open.

Registered with the programme job runner (``messaging.jobs``), which calls it once per programme and local day,
after 00:30 in the programme's time zone. On any other day it does nothing. It closes the months after the last
closed one in order, up to the month just ended (a programme never closed starts with that month), so a worker
that was down over a month end catches up; a month closed by hand meanwhile is skipped. Closing computes from the
ledger and never changes a closed month, so headquarters loses nothing by letting it run: corrections are
adjustments in the open month either way.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from tessera.kit.clock import now as clock_now
from tessera.messaging.jobs import register_job
from tessera.programs.models import Program
from tessera.settlement.models import SettlementPeriod
from tessera.settlement.services import settlement_close
from tessera.stores.selectors import headquarters_actor


def _months_after(year: int, month: int, last: tuple[int, int]) -> list[tuple[int, int]]:
    """The months after (year, month) up to and including ``last``."""
    months = []
    while (year, month) < last:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        months.append((year, month))
    return months


def settlement_close_due(*, program_id: int, local_date: date) -> dict[str, Any]:
    if local_date.day != 1:
        return {"closed": []}
    program = Program.objects.get(id=program_id)
    ended = (local_date.year - 1, 12) if local_date.month == 1 else (local_date.year, local_date.month - 1)
    latest = SettlementPeriod.objects.filter(program=program).order_by("-year", "-month").first()
    start = (
        (latest.year, latest.month) if latest else ((ended[0] - 1, 12) if ended[1] == 1 else (ended[0], ended[1] - 1))
    )
    actor = headquarters_actor(merchant_id=program.owner_id, system="settlement.close")
    closed = []
    for year, month in _months_after(*start, last=ended):
        settlement_close(program=program, year=year, month=month, actor=actor, now=clock_now())
        closed.append(f"{year:04d}-{month:02d}")
    return {"closed": closed}


register_job("settlement.close", settlement_close_due, at_local_time=time(0, 30))

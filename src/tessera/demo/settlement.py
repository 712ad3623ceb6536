"""Close every month of the demo's replayed year that has ended, so the console's settlement pages have months to
show: statements, who owes whom and the transfers, from the same ledger the tills wrote."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tessera.demo.organisation import Business
from tessera.ledger.models import Posting
from tessera.settlement.rules import period_bounds
from tessera.settlement.services import CLOSE_GRACE, settlement_close
from tessera.stores.selectors import headquarters_actor


def demo_settlements(businesses: dict[str, Business], *, end: datetime) -> int:
    """Close each business's months in order, from its first posting's month to the last one over by ``end``;
    each is closed an hour after it ended, as headquarters would. Returns the number of months closed."""
    closed = 0
    for business in businesses.values():
        first = Posting.objects.filter(program=business.program).order_by("created_at").first()
        if first is None:
            continue
        zone = business.merchant.timezone
        local = first.created_at.astimezone(ZoneInfo(zone))
        year, month = local.year, local.month
        actor = headquarters_actor(merchant_id=business.merchant.id, system="demo-settlement")
        while True:
            _start, month_end = period_bounds(year, month, zone)
            if month_end + CLOSE_GRACE > end:
                break
            settlement_close(program=business.program, year=year, month=month, actor=actor,
                             now=month_end + timedelta(hours=1))  # fmt: skip
            closed += 1
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return closed

"""When earned points expire, per the programme's policy, in the programme's time zone.

``expires_at`` is the first instant the points can no longer be spent: points valid through 31 December are
spendable at 23:59:59 local time and gone at 00:00:00 on 1 January, whatever the zone's offset or DST.

- days_after_earning N: valid through the local earning date + N days.
- end_of_month_after N: valid through the last day of the month N months after the earning month.
- end_of_year_after N: valid through 31 December of the year that the earning date + N months falls in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class ExpiryPolicy(StrEnum):
    NEVER = "never"
    DAYS_AFTER_EARNING = "days_after_earning"
    END_OF_MONTH_AFTER = "end_of_month_after"
    END_OF_YEAR_AFTER = "end_of_year_after"


def local_midnight(day: date, timezone: str) -> datetime:
    """The instant local ``day`` begins in ``timezone``, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def add_months(day: date, months: int) -> tuple[int, int]:
    """(year, month) of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return index // 12, index % 12 + 1


def expiry_for(
    *, earned_at: datetime, policy: ExpiryPolicy, timezone: str, days: int | None, months: int | None
) -> datetime | None:
    """The expiry instant of points earned at ``earned_at``; None when they never expire."""
    earned = earned_at.astimezone(ZoneInfo(timezone)).date()
    if policy is ExpiryPolicy.NEVER:
        return None
    if policy is ExpiryPolicy.DAYS_AFTER_EARNING:
        assert days is not None
        assert days > 0
        return local_midnight(earned + timedelta(days=days + 1), timezone)
    assert months is not None
    assert months >= 0
    year, month = add_months(earned, months)
    if policy is ExpiryPolicy.END_OF_MONTH_AFTER:
        year, month = add_months(date(year, month, 1), 1)
        return local_midnight(date(year, month, 1), timezone)
    return local_midnight(date(year + 1, 1, 1), timezone)


def consume_fifo(lots: list[tuple[int, int]], points: int) -> list[tuple[int, int]]:
    """Take ``points`` from lots given in spending order as (lot id, remaining); returns (lot id, taken).

    The caller checks there is enough; this never takes more than a lot holds.
    """
    taken: list[tuple[int, int]] = []
    left = points
    for lot_id, remaining in lots:
        if left == 0:
            break
        take = min(left, remaining)
        taken.append((lot_id, take))
        left -= take
    assert left == 0, "not enough points in the lots"
    return taken


@dataclass(frozen=True, slots=True)
class RedeemOnly:
    """An alliance whose agreement keeps points with their issuer: a store of ``merchant_id`` spends only the lots
    that merchant issued; lots from before stores were recorded count as the card owner's (``owner_id``)."""

    merchant_id: int
    owner_id: int

"""Reading points lots: what a member is about to lose to expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum

from tessera.points.models import PointsLot
from tessera.points.rules import RedeemOnly
from tessera.programs.models import Program
from tessera.stores.models import Alliance

# How far ahead "expiring soon" looks for a programme that sends no reminder (reminder period 0).
EXPIRING_SOON_DAYS_DEFAULT = 30


@dataclass(frozen=True, slots=True)
class PointsExpiring:
    """Points that lapse within a window, soonest first, as (expires_at, points) pairs; ``total`` is their sum."""

    within_days: int
    until: datetime
    expiries: list[tuple[datetime, int]]

    @property
    def total(self) -> int:
        return sum(points for _, points in self.expiries)


def points_expiring_get(*, member_id: int, now: datetime, within_days: int) -> PointsExpiring:
    """The member's unspent points that lapse after ``now`` and no later than ``within_days`` days from it.

    Grouped by expiry instant, as the reminder job groups them. Lots already past their expiry are left out
    even before the nightly sweep has written them off: they can no longer be spent, so they are not "soon".
    """
    until = now + timedelta(days=within_days)
    rows = (
        PointsLot.objects.filter(member_id=member_id, remaining__gt=0, expires_at__gt=now, expires_at__lte=until)
        .values("expires_at")
        .annotate(points=Sum("remaining"))
        .order_by("expires_at")
    )
    # The filter already drops never-expiring lots; the check only tells the type checker so.
    expiries = [(row["expires_at"], int(row["points"])) for row in rows if row["expires_at"] is not None]
    return PointsExpiring(within_days, until, expiries)


def points_expiring_window_days(*, program: Program) -> int:
    """How far ahead members and staff are shown expiring points: the programme's reminder period, else 30 days."""
    return program.points_expiry_reminder_days or EXPIRING_SOON_DAYS_DEFAULT


def points_redeem_only(program: Program, merchant_id: int) -> RedeemOnly | None:
    """Whose points a store of ``merchant_id`` may spend: any (None), unless the programme's alliance agreement
    keeps points with the merchant that issued them. Cards of one chain ask nothing of the database."""
    if program.alliance_id is None:
        return None
    if Alliance.objects.filter(id=program.alliance_id).values_list("points_shared", flat=True).get():
        return None
    return RedeemOnly(merchant_id=merchant_id, owner_id=program.owner_id)

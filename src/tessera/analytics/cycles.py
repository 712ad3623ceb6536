"""Purchase cycles: how often a member buys each category, when they should buy it next, and who is due.

The member page, the store's "due soon" list, the dashboard and the recommendations read the purchase days
themselves (``member_rhythms``, ``store_due``): the median gap between purchase days, its coefficient of
variation and the due / overdue / lapsed state of ``analytics.regularity``, counted in the store's time zone,
from the documents net of returns (``analytics.occasions``). A mean interval from the running statistics would
say nothing about regularity (twice in a week and once a year later has the mean of every six months), so none
is used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tessera.analytics.occasions import Purchase, member_history_lines, net_purchases, store_history_by_member
from tessera.analytics.regularity import Cycle, DueState, Regularity, cycle_of, due_state, local_days
from tessera.members.models import Member
from tessera.stores.models import Store

DUE_LIMIT_MAX = 500
OVERALL = ""  # the rhythm of all the member's purchases, whatever they bought
DUE_WITHIN_DAYS = 14
LISTED = (DueState.DUE, DueState.OVERDUE)


@dataclass(frozen=True, slots=True)
class Rhythm:
    """A member's rhythm for one category (or ``OVERALL``) as of ``today``, a local date of the store."""

    category: str
    cycle: Cycle
    state: DueState
    today: date

    @property
    def days_until(self) -> int:
        return self.cycle.days_until(self.today)

    @property
    def days_since_last(self) -> int:
        return self.cycle.days_since_last(self.today)

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_until)

    def regularity_label(self) -> str:
        return str(REGULARITY_LABELS[self.cycle.regularity])

    def reason(self) -> str:
        figures = {"category": self.category, "days": round(self.cycle.interval_days),
                   "ago": self.days_since_last, "next": self.cycle.next_on.isoformat()}  # fmt: skip
        if self.category == OVERALL:
            text = _("Shops about every %(days)s days; the last visit was %(ago)s days ago (next %(next)s).")
        else:
            text = _(
                "Buys %(category)s about every %(days)s days; the last was %(ago)s days ago (next expected %(next)s)."
            )
        return text % figures


REGULARITY_LABELS = {
    Regularity.REGULAR: _lazy("Regular"),
    Regularity.IRREGULAR: _lazy("Irregular"),
    Regularity.TOO_FEW: _lazy("Too few purchases"),
}


def rhythms_of(purchases: Iterable[Purchase], *, zone: ZoneInfo, now: datetime, within_days: int) -> list[Rhythm]:
    """Every rhythm in these purchases (two purchase days or more), the one expected soonest first."""
    today = now.astimezone(zone).date()
    moments: dict[str, list[datetime]] = defaultdict(list)
    for purchase in purchases:
        moments[OVERALL].append(purchase.at)
        if purchase.category:
            moments[purchase.category].append(purchase.at)
    rhythms = []
    for category, times in moments.items():
        cycle = cycle_of(local_days(times, zone))
        if cycle is not None:
            rhythms.append(Rhythm(category, cycle, due_state(cycle, today, within_days=within_days), today))
    return sorted(rhythms, key=lambda r: (r.cycle.next_on, r.category))


def member_rhythms(
    *, member_id: int, zone: ZoneInfo, now: datetime, merchant_id: int | None = None,
    within_days: int = DUE_WITHIN_DAYS,
) -> list[Rhythm]:  # fmt: skip
    """The member's rhythms from their documents (one bounded query), in the store's time zone ``zone``;
    ``merchant_id`` limits them to that merchant's stores (see ``members.selectors.history_merchant_for``)."""
    lines = member_history_lines(member_id=member_id, now=now, merchant_id=merchant_id)
    return rhythms_of(net_purchases(lines), zone=zone, now=now, within_days=within_days)


@dataclass(frozen=True, slots=True)
class DueMember:
    member_id: str  # public id
    name: str
    rhythm: Rhythm


def store_due(*, store: Store, now: datetime, within_days: int = DUE_WITHIN_DAYS, limit: int = 200) -> list[DueMember]:
    """The store's active members (enrolled there) with a rhythm due within ``within_days`` or overdue but not
    lapsed, one row per member and rhythm, soonest expected first (most overdue at the top); at most ``limit``."""
    if not 1 <= within_days <= 366 or not 1 <= limit <= DUE_LIMIT_MAX:
        raise ValueError("within_days must be 1-366 and limit 1-500")
    zone = ZoneInfo(store.timezone)
    found: list[tuple[int, Rhythm]] = []
    for member_id, lines in store_history_by_member(store_id=store.id, merchant_id=store.merchant_id, now=now):
        rhythms = rhythms_of(net_purchases(lines), zone=zone, now=now, within_days=within_days)
        found += [(member_id, r) for r in rhythms if r.state in LISTED]
    found.sort(key=lambda row: (row[1].cycle.next_on, row[0], row[1].category))
    shown = found[:limit]
    people = {m: (public_id, name) for m, public_id, name in
              Member.objects.filter(id__in={m for m, _r in shown}).values_list("id", "public_id", "name")}  # fmt: skip
    return [DueMember(*people[m], r) for m, r in shown]

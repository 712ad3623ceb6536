"""Purchase cycles: how often a member buys each category, when they should buy it next, and who is due.

Read from the running statistics per member and category (``members.MemberCategoryStats``, kept in the checkout
transaction), so no sale is rescanned. A member's *typical interval* for a category is the mean time between
their purchases of it, ``(last − first) / (purchases − 1)``: it needs at least two purchases of the category on
different occasions. The *next expected purchase* is the last one plus that interval. A member is *due* when
that moment falls inside a window around now: up to ``within_days`` ahead and no more than ``within_days``
overdue, so members long gone do not crowd the list for ever (lifecycle stages deal with those).

The mean interval says nothing about regularity: a member who bought twice in a week and then once a year later
has the same mean as one who buys every six months. So the member page, the store's "due soon" list and the
recommendations read the purchase days themselves (``member_rhythms``, ``store_due``): the median gap, its
coefficient of variation and the due / overdue / lapsed state of ``analytics.regularity``, counted in the
store's time zone, from the documents net of returns (``analytics.occasions``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F, FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tessera.analytics.occasions import Purchase, member_history_lines, net_purchases, store_history_by_member
from tessera.analytics.regularity import Cycle, DueState, Regularity, cycle_of, due_state, local_days
from tessera.members.models import Member, MemberCategoryStats
from tessera.stores.models import Store

MIN_INTERVAL = timedelta(days=1)  # purchases a few hours apart are one shopping trip, not a cycle
DUE_LIMIT_MAX = 500
_JULIAN_UNIX_EPOCH = 2440587.5  # julianday('1970-01-01')


@dataclass(frozen=True, slots=True)
class CategoryCycle:
    """One member's rhythm for one category."""

    category: str
    purchases: int
    last_at: datetime
    interval: timedelta
    next_at: datetime

    @property
    def interval_days(self) -> int:
        return max(1, round(self.interval / timedelta(days=1)))

    def days_until(self, now: datetime) -> int:
        """Whole days from ``now`` to the next expected purchase; negative when overdue."""
        return (self.next_at - now) // timedelta(days=1)

    def reason(self) -> str:
        return _("Buys %(category)s about every %(days)s days (%(purchases)s purchases); last on %(last)s.") % {
            "category": self.category, "days": self.interval_days, "purchases": self.purchases,
            "last": self.last_at.date().isoformat(),
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Due:
    """A member due to buy a category again, for the store's "due soon" list."""

    member_id: str
    name: str
    cycle: CategoryCycle


def _day_number(column: str) -> str:
    """SQL for a timestamp column as a fractional day number (only to filter; figures are computed exactly)."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM {column}) / 86400.0)"
    return f"(julianday({column}) - {_JULIAN_UNIX_EPOCH})"


def _with_cycles(rows: QuerySet[MemberCategoryStats]) -> QuerySet[MemberCategoryStats]:
    """The category rows with a rhythm: two purchases or more, on occasions at least a day apart on average."""
    return rows.filter(purchase_count__gte=2, first_purchase_at__isnull=False, last_purchase_at__isnull=False).annotate(
        span=ExpressionWrapper(F("last_purchase_at") - F("first_purchase_at"), output_field=DurationField())
    )


def _next_day_sql() -> str:
    table = MemberCategoryStats._meta.db_table
    last, first = _day_number(f"{table}.last_purchase_at"), _day_number(f"{table}.first_purchase_at")
    return f"{last} + ({last} - {first}) / ({table}.purchase_count - 1)"


def _cycle(row: MemberCategoryStats) -> CategoryCycle | None:
    first, last = row.first_purchase_at, row.last_purchase_at
    assert first is not None  # _with_cycles keeps only rows with both dates
    assert last is not None
    interval = (last - first) / (row.purchase_count - 1)
    if interval < MIN_INTERVAL:
        return None
    return CategoryCycle(row.category, row.purchase_count, last, interval, last + interval)


def member_cycles(*, member_id: int) -> list[CategoryCycle]:
    """The member's categories with a rhythm, the one expected soonest first."""
    cycles = [_cycle(row) for row in _with_cycles(MemberCategoryStats.objects.filter(member_id=member_id))]
    return sorted((c for c in cycles if c is not None), key=lambda c: (c.next_at, c.category))


def due_soon(*, store_id: int, now: datetime, within_days: int = 14, limit: int = 200) -> list[Due]:
    """Active members of ``store_id`` (their home store: where they enrolled) due to buy a category again within
    ``within_days`` either side of ``now``, the most overdue first; at most ``limit`` rows."""
    if not 1 <= within_days <= 366 or not 1 <= limit <= DUE_LIMIT_MAX:
        raise ValueError("within_days must be 1-366 and limit 1-500")
    today = now.timestamp() / 86_400
    members = Member.objects.filter(enrolled_store_id=store_id, status=Member.Status.ACTIVE)
    next_day = RawSQL(_next_day_sql(), [], output_field=FloatField())  # noqa: S611 (no user input in it)
    rows = (
        _with_cycles(MemberCategoryStats.objects.filter(member__in=members))
        .annotate(next_day=next_day)
        .filter(next_day__gte=today - within_days, next_day__lte=today + within_days)
        .select_related("member")
        .order_by("next_day", "member_id", "category")[:limit]
    )
    due = [(row, _cycle(row)) for row in rows]
    return [Due(row.member.public_id, row.member.name, cycle) for row, cycle in due if cycle is not None]


# ---------------------------------------------------------------- from the purchase days themselves

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

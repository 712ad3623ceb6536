"""Value statements (issue 6, seed 000 section 4): what membership is worth to one member, in their language.

Computed on demand from the member's documents, points lots, tier and gift ladders; nothing is stored. The
arithmetic is in ``statements_rules``, the wording in ``statements_text``; docs/value-statements.md explains
every assumption. All dates are the programme's local calendar.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from tessera.analytics import statements_rules as rules
from tessera.analytics.statements_text import StatementMessage, statement_render
from tessera.checkout.models import Document, DocumentLine, Tender
from tessera.checkout.rules import share
from tessera.earning.rules import BasketLine, MemberContext, RuleKind, earn
from tessera.earning.selectors import earning_rules_get
from tessera.members.models import Member
from tessera.members.selectors import member_balances
from tessera.points.selectors import points_expiring_get
from tessera.rewards.models import GiftStep
from tessera.rewards.selectors import gift_ladder_progress, step_name
from tessera.tiers.rules import Combine, Measure
from tessera.tiers.selectors import tier_benefits_get, tier_progress_get

# A typical basket is bought on an ordinary day: no weekday, member-day or birthday multiplier (see the docs).
_DAY_KINDS = frozenset({RuleKind.WEEKDAY, RuleKind.MEMBER_DAY, RuleKind.BIRTHDAY})
_SPENT = (Document.Kind.SALE, Document.Kind.IMPORTED_SALE)
_GIVEN_BACK = (Document.Kind.RETURN, Document.Kind.IMPORTED_RETURN)
_SPEND_MEASURES = frozenset({Measure.SPEND_IN_WINDOW, Measure.LIFETIME_SPEND})


@dataclass(frozen=True, slots=True)
class Savings:
    """Money membership saved this year, minor units: the store's own discounts are not membership's."""

    tier_discount_minor: int
    coupons_minor: int
    stored_value_bonus_minor: int
    points_redeemed_minor: int

    @property
    def total_minor(self) -> int:
        return (
            self.tier_discount_minor + self.coupons_minor + self.stored_value_bonus_minor + self.points_redeemed_minor
        )


@dataclass(frozen=True, slots=True)
class ValueStatement:
    """One member's statement on ``today`` (programme-local). Money in minor units of ``currency``."""

    member_id: str
    member_name: str
    program_name: str
    language: str
    currency: str
    timezone: str
    today: date
    period: rules.Period
    sales_count: int
    weekly_spend_minor: int
    basket_minor: int  # the typical basket the projection earns on: the pace's weekly spend per shopping trip
    points_balance: int
    points_balance_minor: int  # what the balance pays for at the till, rounded down
    points_expiring: int  # of the balance, lapsing after today and by the end of the year
    year_end: date
    points_earned_by_year_end: int
    points_at_year_end: int
    points_at_year_end_minor: int  # what they pay for at the till, rounded down
    target: rules.Target | None
    target_points_at_year_end: int | None
    target_points_at_year_end_minor: int | None
    savings: Savings


@dataclass(frozen=True, slots=True)
class _Pace:
    per_week: Fraction
    points_for_basket: rules.PointsForBasket
    value_points: int
    value_minor: int

    def points(self, weekly_minor: int, days: int) -> int:
        return rules.points_at_pace(weekly_minor=weekly_minor, per_week=self.per_week, days=days,
                                    points_for_basket=self.points_for_basket)  # fmt: skip

    def worth(self, points: int) -> int:
        return rules.points_worth_minor(points=points, value_points=self.value_points, value_minor=self.value_minor)


def value_statement(member: Member, *, today: date) -> ValueStatement:
    """The member's value statement on the programme-local date ``today``."""
    program = member.program
    zone = program.timezone
    period = rules.averaging_period(today=today, enrolled_on=member.enrolled_at.astimezone(ZoneInfo(zone)).date())
    net, sales = _spend_in(member, _midnight(period.start, zone), _midnight(period.end, zone))
    weekly = rules.weekly_average_minor(net_minor=net, days=period.days)
    pace = _pace(member, today=today, per_week=rules.baskets_per_week(sales=sales, days=period.days))
    last = rules.year_end(today)
    days_left = rules.days_through(today, last)
    balance = member_balances(member=member).points
    expiring = points_expiring_get(member_id=member.id, now=_midnight(today, zone), within_days=days_left).total
    kept = max(balance - expiring, 0)
    earned = pace.points(weekly, days_left)
    target = rules.target_choose(_targets(member, today=today, pace=pace, weekly=weekly), weekly_now_minor=weekly)
    target_points = None if target is None else kept + pace.points(target.weekly_minor, days_left)
    return ValueStatement(
        member_id=member.public_id, member_name=member.name, program_name=program.name, language=member.locale,
        currency=program.currency, timezone=zone, today=today, period=period, sales_count=sales,
        weekly_spend_minor=weekly, basket_minor=int(weekly / pace.per_week), points_balance=balance,
        points_balance_minor=pace.worth(balance), points_expiring=expiring, year_end=last,
        points_earned_by_year_end=earned, points_at_year_end=kept + earned,
        points_at_year_end_minor=pace.worth(kept + earned), target=target, target_points_at_year_end=target_points,
        target_points_at_year_end_minor=None if target_points is None else pace.worth(target_points),
        savings=savings_this_year(member, today=today),
    )  # fmt: skip


def value_statement_message(member: Member, *, today: date) -> StatementMessage:
    """The statement as message content (subject, SMS text, body) in the member's language, for the engagement
    capability: the campaigns area will send it; nothing sends it yet."""
    return statement_render(value_statement(member, today=today))


def _midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(timezone))


def _spend_in(member: Member, start_at: datetime, end_at: datetime) -> tuple[int, int]:
    """Net spend (sales less returns, imported history included) and the number of sales in [start, end)."""
    rows = (
        Document.objects.filter(member=member, event_at__gte=start_at, event_at__lt=end_at)
        .filter(kind__in=(*_SPENT, *_GIVEN_BACK))
        .values_list("kind")
        .annotate(total=Sum("total_minor"), count=Count("id"))
    )
    net = sales = 0
    for kind, total, count in rows:
        net += int(total) if kind in _SPENT else -int(total)
        sales += int(count) if kind in _SPENT else 0
    return net, sales


def _pace(member: Member, *, today: date, per_week: Fraction) -> _Pace:
    """The programme's real earning for one typical basket: its base rate, sale and day caps, the member's tier
    multiplier; a basket with no product details meets no product rule, and an ordinary day no day rule."""
    program = member.program
    active = [r for r in earning_rules_get(program_id=program.id, on_date=today) if r.kind not in _DAY_KINDS]
    tier = tier_benefits_get(member_id=member.id, program=program, language=member.locale)
    context = MemberContext(local_date=today, tier_factor_permille=tier.multiplier_permille if tier else None,
                            tier_code=tier.tier_code if tier else "")  # fmt: skip

    def points_for_basket(basket_minor: int) -> int:
        if basket_minor <= 0:
            return 0
        line = BasketLine(line_no=1, sku="", brand="", category="", amount_minor=basket_minor,
                          eligible_minor=basket_minor)  # fmt: skip
        return earn(lines=[line], rate=program.earn_rate, member=context, rules=active).points

    return _Pace(per_week, points_for_basket, program.point_value_points, program.point_value_minor)


def _targets(member: Member, *, today: date, pace: _Pace, weekly: int) -> list[rules.Target]:
    found = [_tier_target(member, today=today, pace=pace)]
    found += _gift_targets(member, today=today, pace=pace, weekly=weekly)
    return [t for t in found if t is not None]


def _tier_target(member: Member, *, today: date, pace: _Pace) -> rules.Target | None:
    """The next tier, when spending (or the points spending earns) can reach it before its window closes."""
    program = member.program
    tier = tier_progress_get(member_id=member.id, program_id=program.id, language=member.locale, today=today)
    if tier is None or tier.next is None or tier.remaining is None:
        return None
    if tier.second_remaining and tier.combine == Combine.AND:
        return None  # the other measure (visits, stored value) is not bought by spending more each week
    by = min(tier.needed_by or rules.year_end(today), rules.year_end(today))
    days = rules.days_through(today, by)
    if tier.measure in _SPEND_MEASURES:
        weekly = rules.weekly_spend_for_spend(spend_needed_minor=tier.remaining, days=days)
    elif tier.measure == Measure.POINTS_IN_WINDOW:
        weekly = rules.weekly_spend_for_points(points_needed=tier.remaining, days=days, per_week=pace.per_week,
                                               points_for_basket=pace.points_for_basket)  # fmt: skip
    else:
        return None  # visits or stored value put in: more spend a week does not count toward them
    return None if weekly is None else rules.Target("tier", tier.next.name, weekly, by)


def _gift_targets(member: Member, *, today: date, pace: _Pace, weekly: int) -> list[rules.Target | None]:
    """For each gift ladder running today, the step above what a month at the member's pace earns."""
    ladders = gift_ladder_progress(member=member, now=_midnight(today, member.program.timezone))
    if not ladders:
        return []
    month_days = monthrange(today.year, today.month)[1]
    month_end = today.replace(day=month_days)
    at_pace = pace.points(weekly, month_days)
    steps = GiftStep.objects.filter(ladder_id__in=[p.ladder_id for p in ladders]).prefetch_related("translations")
    by_ladder: dict[int, list[GiftStep]] = {}
    for step in steps:
        by_ladder.setdefault(step.ladder_id, []).append(step)
    found: list[rules.Target | None] = []
    for ladder_steps in by_ladder.values():
        threshold = rules.gift_step_next([s.threshold_points for s in ladder_steps], points_in_month_at_pace=at_pace)
        if threshold is None:
            continue
        step = next(s for s in ladder_steps if s.threshold_points == threshold)
        needed = rules.weekly_spend_for_points(points_needed=threshold, days=month_days, per_week=pace.per_week,
                                               points_for_basket=pace.points_for_basket)  # fmt: skip
        name = step_name(step, member.locale)
        found.append(None if needed is None else rules.Target("gift", name, needed, month_end))
    return found


def savings_this_year(member: Member, *, today: date) -> Savings:
    """What membership saved the member from 1 January to the end of ``today``, in the programme's time zone.

    Tier and coupon discounts of this year's sales, less the share of any item returned since (the share a
    return takes, rounded down as returns round it); the stored-value bonus those sales spent, less the bonus
    their returns gave back; points paid at the till on those sales and points redeemed this year, valued at
    the programme's point value.
    """
    zone = member.program.timezone
    start_at, end_at = _midnight(date(today.year, 1, 1), zone), _midnight(today + timedelta(days=1), zone)
    sales = Document.objects.filter(member=member, kind=Document.Kind.SALE, event_at__gte=start_at,
                                    event_at__lt=end_at)  # fmt: skip
    returned = Coalesce(Sum("returned_by__quantity", filter=Q(returned_by__document__event_at__lt=end_at)),
                        Value(0), output_field=IntegerField())  # fmt: skip
    tier_minor = coupons_minor = 0
    lines = DocumentLine.objects.filter(document__in=sales).annotate(back=returned)
    for tier, coupon, quantity, back in lines.values_list(
        "member_discount_minor", "coupon_discount_minor", "quantity", "back"
    ):
        tier_minor += tier - share(tier, quantity, back)
        coupons_minor += coupon - share(coupon, quantity, back)
    bonus_spent = _sum(sales, "sv_bonus_minor")
    bonus_back = _sum(Document.objects.filter(original__in=sales, kind=Document.Kind.RETURN,
                                              event_at__lt=end_at), "sv_bonus_minor")  # fmt: skip
    paid_in_points = _sum(Tender.objects.filter(document__in=sales, kind=Tender.Kind.POINTS), "amount_minor")
    redeemed = _sum(Document.objects.filter(member=member, kind=Document.Kind.REDEMPTION, event_at__gte=start_at,
                                            event_at__lt=end_at), "points")  # fmt: skip
    program = member.program
    redeemed_minor = rules.points_worth_minor(points=redeemed, value_points=program.point_value_points,
                                              value_minor=program.point_value_minor)  # fmt: skip
    return Savings(tier_minor, coupons_minor, bonus_spent - bonus_back, paid_in_points + redeemed_minor)


def _sum(queryset: object, field: str) -> int:
    total = queryset.aggregate(total=Sum(field))["total"]  # type: ignore[attr-defined]
    return int(total or 0)

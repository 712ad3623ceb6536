"""A year of till activity, planned before anything is written: who joins when, what they buy, how they pay.

The plan is pure: it draws from seeded random generators and returns steps in till-time order. The loader then
replays the steps through the checkout services. Balances are only estimated here (to decide when a member tops
up or asks for a gift); the loader reads the real ones from each receipt and adjusts the payment to them.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tessera.demo.catalogue import Item, Shopper
from tessera.demo.markets import MARKETS, Market, tender_reference
from tessera.demo.partners import ALLIANCE_MARKET, CONSENT_SHARE, PARTNERS, Partner
from tessera.demo.people import profiles_make
from tessera.demo.steps import (
    Enrol,
    Freeze,
    MemberPlan,
    Plan,
    Redeem,
    Return,
    Sale,
    ShareHistory,
    Step,
    TopUp,
    TopUpRefund,
)
from tessera.members.services import Profile

HISTORY_DAYS = 365
LAUNCH_DAYS = 30  # the programme opened a year ago and signed up many regulars in its first month
LAUNCH_SHARE = 0.2
HOME_STORE_SHARE = 0.85
FREEZE_SHARE = 0.004
TOP_UP_REFUND_SHARE = 0.03  # of top-ups, refunded within the week (a member moving away, a change of mind)
MEMBER_DAY_DISCOUNT_PERCENT = 10


@dataclass(slots=True)
class _Estimate:
    """What the planner believes a member holds; only used to decide when to top up or redeem."""

    points: int = 0
    stored_value: int = 0


def plan_make(*, seed: int, members: int, end: datetime) -> Plan:
    """Plan ``members`` members' year up to ``end``, split between the markets by their share."""
    plan = Plan()
    start = end - timedelta(days=HISTORY_DAYS)
    remaining = members
    for number, market in enumerate(MARKETS):
        count = remaining if number == len(MARKETS) - 1 else round(members * market.member_share)
        remaining -= count
        # One generator per market, so the size of one market never changes the other's story.
        rng = random.Random(f"tessera-demo:{seed}:{market.key}")
        profiles = profiles_make(rng=rng, population=market.population, count=count, today=end.date())
        for index, profile in enumerate(profiles):
            member = MemberPlan(market, index, profile, _shopper(rng, profile), _home(rng, market))
            plan.members.append(member)
            plan.steps.extend(_member_year(rng, member, start=start, end=end))
    plan.steps.extend(_alliance_year(random.Random(f"tessera-demo:{seed}:alliance"), plan, end=end))
    plan.steps.sort(key=lambda step: step.at)
    _number(plan.steps, random.Random(f"tessera-demo:{seed}:keys"))
    return plan


def _shopper(rng: random.Random, profile: Profile) -> Shopper:
    return Shopper(gender=profile.gender, with_kids=rng.random() < 0.3)


def _home(rng: random.Random, market: Market) -> str:
    return rng.choices([s.code for s in market.stores], weights=[s.weight for s in market.stores])[0]


def till_time(rng: random.Random, market: Market, day: date) -> datetime:
    """A moment in opening hours on ``day``, in the store's time zone, busier at the usual peaks."""
    return _moment(rng, market.hour_weights, market.timezone, day)


def _moment(rng: random.Random, hour_weights: tuple[tuple[int, float], ...], zone: str, day: date) -> datetime:
    hours, weights = zip(*hour_weights, strict=True)
    hour = rng.choices(hours, weights=weights)[0]
    return datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), ZoneInfo(zone))


def _visit_days(rng: random.Random, member: MemberPlan, first: date, end: date) -> list[date]:
    """The days a member comes back after joining: a few come often, most only now and then."""
    market = member.market
    rate = min(rng.gammavariate(0.8, market.visits_per_year / 0.8), market.visits_per_year * 8)
    days: list[date] = []
    if rate < 0.05:
        return days
    shape = market.visit_regularity
    day = first
    while True:
        day += timedelta(days=max(1, round(rng.gammavariate(shape, 365 / rate / shape))))
        if day >= end:
            return days
        days.append(_nudged(rng, market, day, end))


def _nudged(rng: random.Random, market: Market, day: date, end: date) -> date:
    """Pull some visits onto the member day or the weekend, where the tills are busiest."""
    roll = rng.random()
    if market.member_day is not None and roll < 0.2:
        target = day.replace(day=market.member_day) if day.day <= market.member_day else None
        if target is not None and (target - day).days <= 12 and target < end:
            return target
    if roll > 0.7 and day.weekday() < 5:
        weekend = day + timedelta(days=5 - day.weekday() + rng.randrange(2))
        return weekend if weekend < end else day
    return day


def _join_day(rng: random.Random, start: datetime, end: datetime) -> date:
    span = LAUNCH_DAYS if rng.random() < LAUNCH_SHARE else (end - start).days
    return (start + timedelta(days=rng.randrange(span))).date()


def _member_year(rng: random.Random, member: MemberPlan, *, start: datetime, end: datetime) -> list[Step]:
    market = member.market
    joined = till_time(rng, market, _join_day(rng, start, end))
    if joined >= end:  # the last day's shop hours have not all passed yet; the day before's have
        joined = till_time(rng, market, (end - timedelta(days=1)).date())
    prepaid = rng.random() < market.prepaid_share
    estimate = _Estimate()
    enrolled = joined + timedelta(seconds=rng.randint(5, 40))
    steps: list[Step] = [Enrol(joined, enrolled, member, member.home, staffed=True)]
    visits = [joined + timedelta(minutes=3)]
    visits += [till_time(rng, market, day) for day in _visit_days(rng, member, joined.date(), end.date())]
    for number, at in enumerate(visits):
        if at >= end:
            break
        store = member.home if number == 0 or rng.random() < HOME_STORE_SHARE else _home(rng, market)
        visit = _Visit(at=at, end=end, store=store, first=number == 0, prepaid=prepaid)
        steps.extend(_visit(rng, member, visit, estimate))
    steps.extend(_returns(rng, member, steps, end))
    steps.extend(_top_up_refunds(member, steps, end))
    steps.extend(_freeze(rng, member, steps, end))
    return [s for s in steps if s.at < end]


@dataclass(frozen=True, slots=True)
class _Visit:
    at: datetime
    end: datetime
    store: str
    first: bool
    prepaid: bool


def line_discount(item: Item, percent: int) -> int:
    """A member-day discount on one line, rounded down to a whole 100 minor units (1 yuan) as tills print it."""
    value = item.unit_price_minor * item.quantity * percent // 100
    return value - value % 100


def _visit(rng: random.Random, member: MemberPlan, visit: _Visit, estimate: _Estimate) -> list[Step]:
    market, at = member.market, visit.at
    items = tuple(market.basket(rng, member.shopper, at.date(), market.join_minimum_minor if visit.first else 0))
    discount = MEMBER_DAY_DISCOUNT_PERCENT if at.day == market.member_day else 0
    total = sum(i.unit_price_minor * i.quantity - line_discount(i, discount) for i in items)
    steps: list[Step] = []
    if visit.prepaid and estimate.stored_value < total and rng.random() < (0.7 if visit.first else 0.45):
        steps.append(_top_up(rng, member, visit, estimate))
    sale = Sale(at, _recorded(rng, at, visit.end), member, visit.store, rng.random() >= market.terminal_share)
    sale.items, sale.discount_percent, sale.tender = items, discount, _tender(rng, market)
    sale.reference = tender_reference(rng, kind=sale.tender, country=market.country, at=at)
    sale.from_stored_value = visit.prepaid and estimate.stored_value > 0 and rng.random() < 0.95
    spent = min(total, estimate.stored_value) if sale.from_stored_value else 0
    estimate.stored_value -= spent
    estimate.points += (total if market.earn_on_stored_value else total - spent) // market.earn_per_minor
    steps.append(sale)
    steps.extend(_redemption(rng, member, at=at, store=visit.store, estimate=estimate))
    return steps


def _top_up(rng: random.Random, member: MemberPlan, visit: _Visit, estimate: _Estimate) -> TopUp:
    """A member tops up at the till just before paying, as the bonus ladder invites them to."""
    market = member.market
    amount = rng.choices(list(market.top_up_amounts), weights=list(market.top_up_amounts.values()))[0]
    tender = _tender(rng, market, exclude_cash=amount >= 500_000 and market.currency == "CNY")
    estimate.stored_value += amount
    at = visit.at - timedelta(minutes=1)
    return TopUp(at, at + timedelta(seconds=20), member, visit.store, True, amount_minor=amount, tender=tender)


def _tender(rng: random.Random, market: Market, *, exclude_cash: bool = False) -> str:
    kinds = [k for k in market.tenders if not (exclude_cash and k == "cash")]
    return rng.choices(kinds, weights=[market.tenders[k] for k in kinds])[0]


def _recorded(rng: random.Random, at: datetime, latest: datetime) -> datetime:
    """When the server hears of a till event: seconds later, or hours later after a network outage."""
    delay = timedelta(hours=rng.uniform(1, 20)) if rng.random() < 0.01 else timedelta(seconds=rng.randint(1, 30))
    return min(at + delay, max(latest, at + timedelta(seconds=1)))


def _redemption(rng: random.Random, member: MemberPlan, *, at: datetime, store: str, estimate: _Estimate) -> list[Step]:
    affordable = [r for r in member.market.rewards if r.points <= estimate.points]
    if not affordable or rng.random() >= member.market.redeem_chance:
        return []
    reward = rng.choice(affordable)
    estimate.points -= reward.points
    when = at + timedelta(minutes=2)
    return [Redeem(when, when + timedelta(seconds=5), member, store, staffed=True, reward=reward)]


def _returns(rng: random.Random, member: MemberPlan, steps: list[Step], end: datetime) -> list[Step]:
    market = member.market
    found: list[Step] = []
    for sale in [s for s in steps if isinstance(s, Sale)]:
        returnable = [
            n
            for n, item in enumerate(sale.items, start=1)
            if market.returnable is None or item.category in market.returnable
        ]
        if not returnable or rng.random() >= market.return_share:
            continue
        at = till_time(rng, market, sale.at.date() + timedelta(days=rng.randint(1, 10)))
        if at >= end:
            continue
        lines: tuple[tuple[int, int], ...] = ()
        if len(returnable) < len(sale.items) or rng.random() < 0.55:  # partial: one line, maybe not every unit
            line_no = rng.choice(returnable)
            lines = ((line_no, rng.randint(1, sale.items[line_no - 1].quantity)),)
        found.append(Return(at, _recorded(rng, at, end), member, sale.store, True, original=sale, lines=lines))
    return found


def _top_up_refunds(member: MemberPlan, steps: list[Step], end: datetime) -> list[Step]:
    """A few members ask for a top-up back within the week, at the store that took it."""
    # A generator of their own, seeded by the member's (seeded) phone number, so adding refunds to the demo left
    # every other draw, and so every other figure, as it was.
    rng = random.Random(f"tessera-demo:refund:{member.profile.phone}")
    found: list[Step] = []
    for top_up in [s for s in steps if isinstance(s, TopUp)]:
        if rng.random() >= TOP_UP_REFUND_SHARE:
            continue
        at = till_time(rng, member.market, top_up.at.date() + timedelta(days=rng.randint(1, 7)))
        if top_up.at < at < end:
            found.append(TopUpRefund(at, at + timedelta(seconds=30), member, top_up.store, True, original=top_up))
    return found


def _freeze(rng: random.Random, member: MemberPlan, steps: list[Step], end: datetime) -> list[Step]:
    last = max(s.at for s in steps)
    if rng.random() >= FREEZE_SHARE or last >= end - timedelta(days=20):
        return []
    at = till_time(rng, member.market, (end - timedelta(days=rng.randint(3, 15))).date())
    reason = "会员卡挂失" if member.market.key == "cn" else "카드 분실 신고"
    return [Freeze(at, at + timedelta(seconds=4), member, member.home, True, reason=reason)]


def _number(steps: list[Step], rng: random.Random) -> None:
    """Give each document its store's receipt number for the day, and every write a fresh idempotency key."""
    counters: dict[tuple[str, str, date], int] = defaultdict(int)
    for step in steps:
        step.request_key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if isinstance(step, Enrol | Freeze | ShareHistory):
            continue
        day = step.at.date()  # till_time is already in the store's zone
        counters[step.member.market.key, step.store, day] += 1
        step.pos_number = f"{step.store}-{day:%y%m%d}-{counters[step.member.market.key, step.store, day]:04d}"


@dataclass(slots=True)
class _Regular:
    """A card member who also buys at one partner: at their usual store there, perhaps from a balance kept there."""

    partner: Partner
    store: str
    prepaid: bool
    held: int = 0  # the planner's guess of the stored value bought at this partner, the only kind it may take


def _alliance_year(rng: random.Random, plan: Plan, *, end: datetime) -> list[Step]:
    """The card's members at the alliance's partners. Drawn after the markets' years, from a generator of its own,
    so the partners leave every other draw as it was; each partner has a few customers even in a small demo."""
    members = [m for m in plan.members if m.market is ALLIANCE_MARKET]
    own: dict[int, list[Step]] = defaultdict(list)
    for step in plan.steps:
        if step.member.market is ALLIANCE_MARKET:
            own[step.member.index].append(step)
    visits: dict[int, list[tuple[datetime, _Regular]]] = defaultdict(list)
    for partner in PARTNERS:
        count = min(len(members), max(partner.customers_min, round(len(members) * partner.customer_share)))
        for member in rng.sample(members, count):
            codes, weights = zip(*((s.code, s.weight) for s in partner.stores), strict=True)
            regular = _Regular(partner, rng.choices(codes, weights=weights)[0], rng.random() < partner.prepaid_share)
            joined = own[member.index][0].at  # the enrolment comes first in a member's own steps
            for day in _partner_days(rng, partner, joined.date(), end.date()):
                visits[member.index].append((_moment(rng, partner.hour_weights, member.market.timezone, day), regular))
    steps: list[Step] = []
    for member in members:
        if member.index in visits:
            chosen = sorted(visits[member.index], key=lambda visit: visit[0])
            # A card reported lost is frozen: nobody sells to it afterwards, at the partners either.
            until = min([end, *(s.at for s in own[member.index] if isinstance(s, Freeze))])
            steps.extend(_at_partners(rng, member, own[member.index], chosen, end=until))
    return steps


def _partner_days(rng: random.Random, partner: Partner, first: date, end: date) -> list[date]:
    rate = min(rng.gammavariate(0.8, partner.visits_per_year / 0.8), partner.visits_per_year * 6)
    days, day = [], first
    while rate > 0.05:
        day += timedelta(days=max(1, round(rng.expovariate(rate / 365))))
        if day >= end:
            break
        days.append(day)
    return days


def _at_partners(
    rng: random.Random, member: MemberPlan, own: list[Step], visits: list[tuple[datetime, _Regular]], *, end: datetime
) -> list[Step]:
    """One member's visits to the partners, in time order, with the points they have gathered everywhere so far
    (the loader asks only for gifts the real balance affords)."""
    market, joined = member.market, own[0].at + timedelta(minutes=2)
    steps: list[Step] = []
    if rng.random() < CONSENT_SHARE:  # ticked when joining, at the clothing store
        steps.append(ShareHistory(joined, joined + timedelta(seconds=10), member, member.home, staffed=True))
    at_chain = sorted((s for s in own if isinstance(s, Sale | Redeem)), key=lambda s: s.at)
    estimate, seen = _Estimate(), 0
    for at, regular in visits:
        for step in at_chain[seen:]:
            if step.at >= at:
                break
            seen += 1
            if isinstance(step, Sale):
                estimate.points += sum(i.unit_price_minor * i.quantity for i in step.items) // market.earn_per_minor
            elif step.reward is not None:
                estimate.points -= step.reward.points
        steps.extend(_partner_visit(rng, member, regular, at=at, end=end, estimate=estimate))
    return [s for s in steps if s.at < end]


def _partner_visit(
    rng: random.Random, member: MemberPlan, regular: _Regular, *, at: datetime, end: datetime, estimate: _Estimate
) -> list[Step]:
    market, partner = member.market, regular.partner
    items = tuple(partner.basket(rng))
    total = sum(i.unit_price_minor * i.quantity for i in items)
    steps: list[Step] = []
    if regular.prepaid and regular.held < total and rng.random() < 0.7:
        amount = rng.choices(list(partner.top_up_amounts), weights=list(partner.top_up_amounts.values()))[0]
        top_up_at = at - timedelta(minutes=1)
        steps.append(TopUp(top_up_at, top_up_at + timedelta(seconds=20), member, regular.store, True,
                           amount_minor=amount, tender=_tender(rng, market)))  # fmt: skip
        regular.held += amount
    sale = Sale(at, _recorded(rng, at, end), member, regular.store, rng.random() >= market.terminal_share)
    sale.items, sale.tender = items, _tender(rng, market)
    sale.reference = tender_reference(rng, kind=sale.tender, country=market.country, at=at)
    sale.from_stored_value = regular.prepaid and regular.held > 0
    regular.held -= min(total, regular.held) if sale.from_stored_value else 0
    points, per_minor = partner.earn
    estimate.points += total * points // per_minor
    steps.append(sale)
    affordable = [r for r in partner.rewards if r.points <= estimate.points]
    if affordable and rng.random() < partner.redeem_chance:
        reward = rng.choice(affordable)
        estimate.points -= reward.points
        when = at + timedelta(minutes=2)
        steps.append(Redeem(when, when + timedelta(seconds=5), member, regular.store, True, reward=reward,
                            menu=partner.rewards))  # fmt: skip
    return steps

"""Builders for RFM tests: programmes in a time zone, members, and purchases recorded as checkout records them.

Purchases go through the member statistics functions checkout calls (``members.stats``), inside a transaction,
so a test can place them at any past instant without the till's checks on how old a sale may be.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction

from tessera.analytics.models import RfmRun
from tessera.analytics.selectors import rfm_scores
from tessera.analytics.services import rfm_run_create
from tessera.kit.clock import now as clock_now
from tessera.members.models import Member, MemberStats
from tessera.members.services import Profile, member_enroll
from tessera.members.stats import member_stats_return, member_stats_sale
from tessera.testing import World, world_build

_phones = itertools.count(1)
SH, SEOUL = "Asia/Shanghai", "Asia/Seoul"


def world_in(timezone: str = SH, name: str = "Chain") -> World:
    if timezone == SEOUL:
        return world_build(country="KR", timezone=timezone, currency="KRW", stores=1, name=name)
    return world_build(timezone=timezone, stores=1, name=name)


def member(world: World) -> Member:
    number = next(_phones)
    phone = f"+8210{number:08d}" if world.program.phone_region == "KR" else f"+86139{number:08d}"
    body = member_enroll(program=world.program, profile=Profile(phone=phone, name=f"Member {number}"),
                         actor=world.a.actor, now=clock_now()).body  # fmt: skip
    return Member.objects.get(public_id=body["member_id"])


def at(timezone: str, day: date | str, clock: str = "12:00:00") -> datetime:
    local_day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(local_day, time.fromisoformat(clock), tzinfo=ZoneInfo(timezone))


def bought(who: Member, when: datetime, value_minor: int = 10_000, items: int = 1) -> None:
    with transaction.atomic():
        member_stats_sale(member_id=who.id, event_at=when, value_minor=value_minor, items=items, points=0,
                          categories={})  # fmt: skip


def returned(who: Member, when: datetime, value_minor: int, items: int = 1) -> None:
    with transaction.atomic():
        member_stats_return(member_id=who.id, event_at=when, value_minor=value_minor, items=items, points=0,
                            categories={})  # fmt: skip


def run_on(world: World, day: str, *, clock: str = "00:30:00") -> RfmRun:
    """The programme's run for reference date ``day``, made at ``clock`` local time on that day."""
    return rfm_run_create(program=world.program, reference_date=date.fromisoformat(day),
                          now=at(world.program.timezone, day, clock))  # fmt: skip


def scores(run: RfmRun) -> dict[int, MemberStats]:
    """Every scored member's statistics annotated with their values and scores in ``run``, by member id: computed
    from the statistics as they are now."""
    return {s.member_id: s for s in rfm_scores(run=run)}

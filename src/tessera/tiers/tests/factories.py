"""Builders for tier tests: programmes in a time zone, members with a given card date, facts at given local times."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from tessera.kit.db import use_case
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.testing import World, member_new, world_build
from tessera.tiers.models import MemberTier, TierEvent, TierLadder
from tessera.tiers.services import TierChange, tier_evaluation_run, tier_facts_record, tier_ladder_load

_phones = itertools.count(1)


def world_in(timezone: str, *, spec: dict[str, Any] | None = None) -> World:
    """A programme in Shanghai (CNY) or Seoul (KRW), with ``spec`` loaded as its active ladder."""
    if timezone == "Asia/Seoul":
        world = world_build(country="KR", timezone=timezone, currency="KRW", earn_per_minor=1000, stores=1)
    else:
        world = world_build(timezone=timezone, stores=1)
    if spec is not None:
        tier_ladder_load(program=world.program, spec=spec)
    return world


def at(timezone: str, day: date | str, clock: str = "12:00:00") -> datetime:
    """An aware instant from a local date and time in ``timezone``."""
    local_day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(local_day, time.fromisoformat(clock), tzinfo=ZoneInfo(timezone))


def member_carded(world: World, when: datetime) -> Member:
    """A member whose card date (enrolment) is ``when``."""
    phone = f"010{next(_phones):08d}" if world.program.phone_region == "KR" else f"1390013{next(_phones):04d}"
    with time_machine.travel(when, tick=False):
        return member_new(world, phone=phone)


def record(member: Member, when: datetime, *, now: datetime | None = None, **figures: int) -> TierChange | None:
    """Record one fact as checkout would: inside a transaction; ``now`` is when it reaches the server."""
    with use_case():
        program = Program.objects.get(id=member.program_id)  # as checkout has it: read with the sale
        return tier_facts_record(member_id=member.id, program=program, event_at=when, now=now or when, **figures)


def evaluate(world: World, day: str, **kwargs: Any) -> dict[str, Any]:
    return tier_evaluation_run(program_id=world.program.id, local_date=date.fromisoformat(day), **kwargs)


def place(member: Member) -> MemberTier:
    return MemberTier.objects.select_related("tier", "pending_tier").get(member=member)


def code(member: Member) -> str:
    return place(member).tier.code


def history(member: Member) -> list[tuple[str | None, str, str, int]]:
    """(from, to, reason, value) of the member's tier events, oldest first."""
    events = TierEvent.objects.filter(member=member).select_related("from_tier", "to_tier").order_by("id")
    return [(e.from_tier.code if e.from_tier else None, e.to_tier.code, e.reason, e.value) for e in events]


def ladder_of(world: World) -> TierLadder:
    return TierLadder.objects.get(program=world.program, is_active=True)

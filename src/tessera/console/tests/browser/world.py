"""A small world for the dashboards: one chain in Shanghai with a diamond ladder, a year of purchases by a few
dozen members, a purchase rhythm that puts members on the due list, and an RFM run.

Everything is made through the public services (enrolment, the till, tier facts, the RFM run), with the clock
moved to each purchase, so the dashboards read what production would have written. Shared by the dashboard tests
and the browser test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from tessera.access.models import StaffUser
from tessera.analytics.models import RfmRun
from tessera.analytics.services import rfm_run_create
from tessera.blueprints.seeds import diamonds_ladder
from tessera.kit.db import use_case
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.testing import World, member_new, sell, world_build
from tessera.tiers.services import tier_facts_record, tier_ladder_load

SH = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 6, 15, 11, 0, tzinfo=SH)  # the world's "now": tests travel here before they look
PASSWORD = "dashboards and diamonds"
# Members per paid tier, entry tier first: red, yellow, blue, purple. The rest stay card members (the base).
TIER_POINTS = {10_000: 3, 20_000: 5, 30_000: 2, 50_000: 1}
MEMBERS = 16


@dataclass
class DashboardWorld:
    world: World
    members: list[Member]
    run: RfmRun
    hq: StaffUser
    manager: StaffUser


def _ladder() -> dict[str, object]:
    """Seed 002's diamonds without their discounts, so the till's totals stay the list prices the tests pay."""
    spec = diamonds_ladder()
    spec["tiers"] = [{**tier, "discount_bp": 0} for tier in spec["tiers"]]
    return spec


def _buy(world: World, who: Member, when: datetime, *, store: int = 0, category: str = "tops") -> None:
    with time_machine.travel(when, tick=False):
        sell(world.shops[store], who, [(1, 12_800)], category=category)


def _points(who: Member, points: int, when: datetime) -> None:
    with use_case():
        program = Program.objects.get(id=who.program_id)
        tier_facts_record(member_id=who.id, program=program, points=points, event_at=when, now=when)


def _purchases(world: World, members: list[Member]) -> None:
    """Cohorts from January to June: member i first buys in month 1 + i % 6 and comes back every other month;
    the first three also buy shoes every 25 days, so they are due about now."""
    for i, who in enumerate(members):
        first = 1 + i % 6
        for month in range(first, 7, 2 if i % 3 else 1):
            _buy(world, who, datetime(2026, month, 1 + i % 12, 15, 0, tzinfo=SH))
    for who in members[:3]:
        for days in (50, 25):
            _buy(world, who, TODAY - timedelta(days=days, hours=3), category="shoes")


def dashboard_world_build() -> DashboardWorld:
    with time_machine.travel(datetime(2026, 1, 1, 9, 0, tzinfo=SH), tick=False):
        world = world_build(name="Jade", stores=2)
        tier_ladder_load(program=world.program, spec=_ladder())
        members = [member_new(world, name=f"Member {i + 1}") for i in range(MEMBERS)]
    _purchases(world, members)
    placed = iter(members)
    for points, count in TIER_POINTS.items():
        for _ in range(count):
            _points(next(placed), points, TODAY - timedelta(days=1))
    with time_machine.travel(TODAY, tick=False):
        run = rfm_run_create(program=world.program, now=TODAY)
    hq = StaffUser.objects.create_user(username="hq.dash", password=PASSWORD, role="hq_admin",
                                       merchant=world.merchant)  # fmt: skip
    manager = StaffUser.objects.create_user(username="manager.dash", password=PASSWORD, role="store_manager",
                                            merchant=world.merchant)  # fmt: skip
    manager.stores.set([world.a.store])
    return DashboardWorld(world, members, run, hq, manager)

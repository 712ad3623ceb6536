"""A small chain for value-statement tests: a Shanghai programme with the diamonds ladder (10% off from the first
tier), a 50 yuan coupon, a top-up bonus, and helpers that ring sales up at a chosen local moment."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from tessera.blueprints.seeds import diamonds_ladder
from tessera.checkout.commands import RedemptionIn, TenderIn
from tessera.checkout.services import points_redeem, sale_commit, sale_quote
from tessera.coupons.models import CouponTemplate
from tessera.coupons.services import IssueSource, coupon_issue
from tessera.kit.db import use_case
from tessera.members.models import Member
from tessera.testing import World, band_set, give_back, key, member_new, sale_in, top_up, world_build
from tessera.tiers.services import tier_ladder_load

SHANGHAI = "Asia/Shanghai"
_phones = itertools.count(1)


def at(day: str, clock: str = "12:00", timezone: str = SHANGHAI) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=ZoneInfo(timezone))


def chain(**program: Any) -> World:
    world = world_build(stores=1, **program)
    tier_ladder_load(program=world.program, spec=diamonds_ladder())
    return world


def enrol(world: World, when: datetime, *, locale: str = "en", name: str = "Li Wei") -> Member:
    with time_machine.travel(when, tick=False):
        phone = f"010{next(_phones):08d}" if world.program.phone_region == "KR" else None
        member = member_new(world, phone=phone, name=name)
    Member.objects.filter(id=member.id).update(locale=locale)
    member.refresh_from_db()
    return member


def buy(
    world: World,
    member: Member,
    when: datetime,
    lines: list[tuple[int, int]],
    *,
    sv: int = 0,
    coupon: str = "",
    currency: str = "CNY",
) -> dict[str, Any]:
    """A sale paid in full: ``sv`` from stored value, the rest in cash after the tier discount and coupon."""
    with time_machine.travel(when, tick=False):
        sale = sale_in(member, lines, at=when, currency=currency)
        sale = replace(sale, coupons=(coupon,) if coupon else None)
        total = sale_quote(actor=world.a.actor, sale=replace(sale, coupons=sale.coupons or ()), now=when)["total_minor"]
        tenders = [TenderIn("stored_value", sv)] if sv else []
        tenders.append(TenderIn("cash", total - sv))
        body = sale_commit(actor=world.a.actor, sale=replace(sale, tenders=tuple(tenders)), request_key=key(),
                           now=when).body  # fmt: skip
    return {**body, "pos_number": sale.pos_number}


def give_coupon(world: World, member: Member, when: datetime, amount_minor: int = 5_000) -> str:
    template = CouponTemplate.objects.create(program=world.program, code=f"CASH{amount_minor}", kind="cash",
                                             amount_minor=amount_minor, valid_days=365)  # fmt: skip
    with time_machine.travel(when, tick=False), use_case():
        (coupon,) = coupon_issue(template=template, member=member, actor=world.a.actor, source=IssueSource("staff"),
                                 now=when)  # fmt: skip
    return str(coupon.code)


def load(world: World, member: Member, when: datetime, amount_minor: int, bonus_minor: int) -> dict[str, Any]:
    band_set(world, amount_minor, bonus_minor)
    with time_machine.travel(when, tick=False):
        return top_up(world.a, member, amount_minor)


def redeem(world: World, member: Member, when: datetime, points: int) -> dict[str, Any]:
    command = RedemptionIn(member=member.public_id, pos_number=f"X{key()}", event_at=when, points=points)
    with time_machine.travel(when, tick=False):
        return points_redeem(actor=world.a.actor, redemption=command, request_key=key(), now=when).body


def bring_back(world: World, pos_number: str, when: datetime, lines: list[tuple[int, int]]) -> dict[str, Any]:
    with time_machine.travel(when, tick=False):
        return give_back(world.a, pos_number, lines)

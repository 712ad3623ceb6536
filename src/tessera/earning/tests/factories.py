"""Builders for earning tests: a configuring actor and rules added through the service."""

from __future__ import annotations

from datetime import date

from tessera.earning.models import EarningRule
from tessera.earning.rules import BirthdayScope, MatchOn, Rule, RuleKind
from tessera.earning.services import earning_rule_create
from tessera.kit.actor import Actor
from tessera.kit.clock import now
from tessera.members.models import Member
from tessera.members.services import Profile, member_enroll
from tessera.testing import World


def head_office(world: World) -> Actor:
    store = world.a.store
    return Actor(store_id=store.id, merchant_id=store.merchant_id, currency=store.currency, system="earning-tests")


def rule_add(world: World, rule: Rule) -> EarningRule:
    created = earning_rule_create(program=world.program, rule=rule, actor=head_office(world), now=now())
    world.program.refresh_from_db()  # its configuration version moved: what the next sale reads
    return created


def weekday(code: str, day: int, factor: int, **period: date) -> Rule:
    return Rule(code, RuleKind.WEEKDAY, factor_permille=factor, weekday=day, **period)  # type: ignore[arg-type]


def member_day(code: str, day: int, factor: int) -> Rule:
    return Rule(code, RuleKind.MEMBER_DAY, factor_permille=factor, day_of_month=day)


def birthday(code: str, scope: BirthdayScope, factor: int) -> Rule:
    return Rule(code, RuleKind.BIRTHDAY, factor_permille=factor, birthday_scope=scope)


def excluded(code: str, on: MatchOn, value: str) -> Rule:
    return Rule(code, RuleKind.PRODUCT_EXCLUSION, match_on=on, match_value=value)


def capped(code: str, kind: RuleKind, points: int) -> Rule:
    return Rule(code, kind, cap_points=points)


def member_born(world: World, born: date, phone: str) -> Member:
    body = member_enroll(
        program=world.program, profile=Profile(phone=phone, name="Chen Jing", birthday=born), actor=world.a.actor,
        now=now(),
    ).body  # fmt: skip
    return Member.objects.select_related("program").get(public_id=body["member_id"])

"""Every field with every operator, compiled to SQL, selects exactly the members ``rules.evaluate`` says.

One small programme in Shanghai on a fixed day (10 March 2026) whose members differ in every fact a definition
can test, edge cases included: a birthday on 29 February, a birthday today, a purchase just before and just after
local midnight, no profile, no statistics figures, a category row whose count fell to zero, non-ASCII text.
Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine

from tessera.analytics.services import rfm_run_create
from tessera.blueprints.seeds import diamonds_ladder
from tessera.kit.clock import now
from tessera.segments.rules import FIELDS, Condition, Group, Kind, Op
from tessera.segments.rules.evaluate import condition_holds, definition_holds
from tessera.segments.selectors import members_matching, segment_field_choices
from tessera.segments.tests.factories import facts_of, local, person, tier_place
from tessera.testing import sell, top_up, world_build
from tessera.tiers.services import tier_ladder_load

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


@pytest.fixture
def town():
    with time_machine.travel(local_noon(), tick=False):
        world = world_build(stores=2)
        program = world.program
        b = world.b.store
        people = [
            person(world, gender="female", birthday=date(1990, 3, 15), purchase_count=5, spend_minor=50_000,
                   refund_minor=5_000, top_up_minor=20_000, first_purchase_at=local(program, "2025-01-01"),
                   last_purchase_at=local(program, "2026-03-09", "23:59"),
                   categories={"kids": {"purchase_count": 3, "quantity": 4, "spend_minor": 30_000,
                                        "last_purchase_at": local(program, "2026-03-01")}},
                   profile={"occupation": "Teacher", "income_band": "middle", "education": "bachelor",
                            "region": "Pudong", "preferences": ["kids", "Sport"]},
                   tags=["vip"],),
            person(world, gender="male", birthday=date(1985, 2, 28), purchase_count=1, spend_minor=9_900,
                   first_purchase_at=local(program, "2026-02-09", "00:00"),
                   last_purchase_at=local(program, "2026-02-09", "00:00"),
                   categories={"kids": {"purchase_count": 1, "quantity": 1, "spend_minor": 4_900,
                                        "last_purchase_at": local(program, "2026-02-09")},
                               "tops": {"purchase_count": 2, "quantity": 2, "spend_minor": 5_000,
                                        "last_purchase_at": local(program, "2026-02-01")}},
                   tags=["vip", "wholesale"]),
            person(world, status="frozen", store=b, enrolled_at=local(program, "2025-03-11", "00:30")),
            person(world, birthday=date(2000, 2, 29), gender="other", purchase_count=12, spend_minor=120_000,
                   refund_minor=130_000, first_purchase_at=local(program, "2024-06-01"),
                   last_purchase_at=local(program, "2025-12-01"),
                   profile={"occupation": "", "income_band": "", "region": "浦东新区", "preferences": ["儿童"]},
                   ),
            person(world, birthday=date(2012, 3, 10), purchase_count=2, spend_minor=2_000,
                   first_purchase_at=local(program, "2026-03-10", "00:05"),
                   last_purchase_at=local(program, "2026-03-10", "00:05"),
                   categories={"kids": {"purchase_count": 0, "quantity": -1, "spend_minor": -100}},
                   profile={"education": "secondary", "preferences": []}, tags=["wholesale"]),
            person(world, birthday=date(1970, 12, 31), gender="female", purchase_count=3, spend_minor=30_000,
                   first_purchase_at=local(program, "2025-06-01"),
                   last_purchase_at=local(program, "2026-02-08", "23:59")),
        ]  # fmt: skip
        sell(world.a, people[0], [(1, 30_000)], category="shoes")  # earns points, fills the statistics further
        top_up(world.a, people[1], 20_000)
        tier_ladder_load(program=program, spec=diamonds_ladder())
        for who, code in ((people[0], "red"), (people[3], "yellow"), (people[5], "card")):
            tier_place(who, code)
        rfm_run_create(program=program, reference_date=TODAY, now=now())
        yield world, people


def local_noon():
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(TODAY, time(12), tzinfo=ZoneInfo("Asia/Shanghai"))


def _values(field_code: str, op: Op, choices: dict[str, list[tuple[str, str]]]) -> list[Any]:
    field = FIELDS[field_code]
    kind = field.value_kind
    if op in (Op.IS_EMPTY, Op.IS_SET, Op.THIS_MONTH):
        return [None]
    if op in (Op.IN_LAST_DAYS, Op.NOT_IN_LAST_DAYS, Op.IN_NEXT_DAYS):
        return [1, 7, 30, 100, 365]
    if op in (Op.IN, Op.NOT_IN):
        values = [v for v, _label in (choices.get(field_code) or field.choices())]  # type: ignore[misc]
        return [[values[0]], values[1:3], values[-1:]] if len(values) > 1 else [values]
    if op in (Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE):
        if field_code == "tags":
            return [["vip"], ["vip", "wholesale"], ["wholesale"]]
        return [["kids"], ["儿童"], ["SPORT", "x"], ["nothing"]]
    if kind is Kind.TEXT:
        return ["teacher", "Pudong", "浦东", "each"]
    if kind is Kind.DATE:
        if op is Op.BETWEEN:
            return [(date(2026, 2, 9), date(2026, 3, 9)), (date(1980, 1, 1), date(1999, 12, 31))]
        return [date(2026, 3, 9), date(2026, 2, 9), date(2025, 12, 1), date(2000, 2, 29), date(2026, 3, 10)]
    if op is Op.BETWEEN and field_code == "age":
        return [(14, 40), (0, 0), (13, 15)]
    if op is Op.BETWEEN:
        return [(1, 5), (0, 0), (14, 40), (-200, 0), (9_900, 45_000)]
    if field_code == "age":
        return [0, 13, 14, 15, 36, 40, 150]
    return [0, 1, 3, 5, 14, 36, 12, 45_000, -10_000, 300]


def _categories(field_code: str) -> list[str]:
    return ["kids", "tops", "shoes", "nothing"] if FIELDS[field_code].kind is Kind.CATEGORY else [""]


@pytest.mark.parametrize("field_code", sorted(FIELDS))
def test_every_operator_of_the_field_selects_what_the_rules_say(town, field_code):
    world, people = town
    with time_machine.travel(local_noon(), tick=False):
        facts = {m.id: facts_of(m) for m in people}
        choices = segment_field_choices(program=world.program)
        problems, asked = [], 0
        for op in FIELDS[field_code].ops:
            for value in _values(field_code, op, choices):
                for category in _categories(field_code):
                    condition = Condition(field_code, op, tuple(value) if isinstance(value, list) else value, category)
                    group = Group("all", (condition,))
                    got = set(
                        members_matching(program=world.program, group=group, now=now()).values_list("id", flat=True)
                    )
                    expected = {m.id for m in people if condition_holds(condition, facts[m.id], TODAY)}
                    asked += 1
                    if got != expected:
                        problems.append(f"{op} {value!r} {category}: SQL {sorted(got)}, rules {sorted(expected)}")
    assert asked > 0
    assert not problems, "\n".join(problems)


def test_the_town_tells_its_members_apart(town):
    """Guards the test above against a world where every condition selects everyone or no one."""
    _world, people = town
    with time_machine.travel(local_noon(), tick=False):
        facts = {m.id: facts_of(m) for m in people}
    assert facts[people[0].id]["tier"] == "red"
    assert facts[people[1].id]["tier"] == "card"
    assert facts[people[0].id]["points_balance"] > 0
    assert facts[people[1].id]["stored_value_minor"] == 20_000
    assert {f.get("rfm_r") for f in facts.values()} - {None}, "the run scored someone"
    assert facts[people[3].id]["net_spend_minor"] == -10_000


def test_groups_combine_with_and_and_or_at_any_depth(town):
    world, people = town
    kids = Condition("category.purchase_count", Op.GTE, 3, "kids")
    female = Condition("gender", Op.IN, ("female",))
    recent = Condition("last_purchase_at", Op.IN_LAST_DAYS, 30)
    vip = Condition("tags", Op.HAS_ANY, ("vip",))
    trees = [
        Group("any", (kids, Group("all", (female, Group("any", (recent, vip)))))),
        Group("all", (Group("any", (female, vip)), Group("any", (recent, kids)))),
        Group("any", (Group("all", (female, recent)), Group("all", (vip, Condition("age", Op.LT, 45))))),
        Group("all", ()),
    ]
    with time_machine.travel(local_noon(), tick=False):
        facts = {m.id: facts_of(m) for m in people}
        for tree in trees:
            got = set(members_matching(program=world.program, group=tree, now=now()).values_list("id", flat=True))
            assert got == {m.id for m in people if definition_holds(tree, facts[m.id], TODAY)}, tree
    assert len(got) == len(people)  # the empty root is everyone


def test_a_count_is_one_query_whatever_the_tree(town, django_assert_max_num_queries):
    world, _people = town
    tree = Group("all", (Condition("tier", Op.IN, ("red",)), Condition("rfm_r", Op.IN, ("5",)),
                         Condition("tags", Op.HAS_ALL, ("vip", "wholesale")),
                         Condition("category.spend_minor", Op.GTE, 100, "kids")))  # fmt: skip
    with time_machine.travel(local_noon(), tick=False):
        query = members_matching(program=world.program, group=tree, now=now())
        with django_assert_max_num_queries(1):
            query.count()

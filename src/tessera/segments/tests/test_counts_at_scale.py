"""Typical definitions counted over 20,000 members agree with the rules evaluated member by member in Python.

The members are written in bulk (no checkout), with random but seeded facts, and their facts kept in Python as
they are written, so the oracle reads nothing back. Not a timing test: the count's duration is printed (``-s``)
for whoever tunes it; on SQLite and PostgreSQL each count takes a fraction of a second at this size.
"""

from __future__ import annotations

import random
import time as timer
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tessera.crm.models import MemberTag, Profile, Tag
from tessera.kit.clock import now
from tessera.members.models import Member, MemberCategoryStats, MemberStats
from tessera.segments.rules import definition_parse
from tessera.segments.rules.evaluate import definition_holds
from tessera.segments.selectors import members_matching
from tessera.testing import world_build

pytestmark = pytest.mark.django_db
SIZE = 20_000
SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)
NOON = datetime.combine(TODAY, time(12), tzinfo=SH)
CATEGORIES = ("kids", "tops", "shoes")
TAGS = ("vip", "blocked", "wholesale")

TREES: list[dict[str, Any]] = [
    {"all": [{"field": "gender", "op": "in", "value": ["female"]}, {"field": "age", "op": "between", "value": [25, 40]},
             {"field": "category.purchase_count", "category": "kids", "op": "gte", "value": 3}]},
    {"any": [{"field": "last_purchase_at", "op": "in_last_days", "value": 30},
             {"field": "birthday", "op": "in_next_days", "value": 14},
             {"field": "tags", "op": "has_any", "value": ["vip"]}]},
    {"all": [{"field": "status", "op": "in", "value": ["active"]},
             {"any": [{"field": "net_spend_minor", "op": "gte", "value": 100_000},
                      {"field": "category.spend_minor", "category": "shoes", "op": "gte", "value": 50_000}]},
             {"field": "region", "op": "contains", "value": "pu"},
             {"field": "tags", "op": "has_none", "value": ["blocked"]}]},
    {"all": [{"field": "enrolled_at", "op": "in_last_days", "value": 365},
             {"field": "purchase_count", "op": "between", "value": [2, 10]},
             {"field": "income_band", "op": "in", "value": ["", "high"]},
             {"field": "category.last_purchase_at", "category": "tops", "op": "not_in_last_days", "value": 90}]},
]  # fmt: skip


def _local(at: datetime | None) -> date | None:
    return at.astimezone(SH).date() if at else None


def _crowd(world) -> dict[int, dict[str, Any]]:
    """SIZE members written in bulk; returns each one's facts as the rules read them, by member id."""
    rng = random.Random(6)
    store = world.a.store
    members = [
        Member(program=world.program, name=f"M{i}", card_number=f"9{i:015d}", card_code=f"code{i}",
               enrolled_store=store, gender=rng.choice(["", "female", "male"]),
               status=rng.choice(["active"] * 8 + ["frozen", "closed"]),
               birthday=date(1960, 1, 1) + timedelta(days=rng.randrange(0, 50 * 365)) if rng.random() < 0.8 else None,
               enrolled_at=NOON - timedelta(days=rng.randrange(0, 900), hours=rng.randrange(0, 24)))
        for i in range(SIZE)
    ]  # fmt: skip
    Member.objects.bulk_create(members, batch_size=2000)
    members = list(Member.objects.filter(program=world.program).order_by("id"))
    facts: dict[int, dict[str, Any]] = {}
    stats, categories, profiles, links = [], [], [], []
    tags = {name: Tag.objects.create(program=world.program, name=name, created_at=now()) for name in TAGS}
    for m in members:
        bought = rng.randrange(0, 15)
        last = NOON - timedelta(days=rng.randrange(0, 400), minutes=rng.randrange(0, 1440)) if bought else None
        spend, refund = bought * rng.randrange(1_000, 20_000), rng.choice([0, 0, 5_000])
        stats.append(MemberStats(member=m, program=world.program, purchase_count=bought, spend_minor=spend,
                                 refund_minor=refund, first_purchase_at=last, last_purchase_at=last))  # fmt: skip
        f: dict[str, Any] = {"gender": m.gender, "status": m.status, "birthday": m.birthday,
                             "enrolled_at": _local(m.enrolled_at), "purchase_count": bought,
                             "net_spend_minor": spend - refund, "last_purchase_at": _local(last),
                             "first_purchase_at": _local(last), "tags": set(), "preferences": []}  # fmt: skip
        for measure in ("purchase_count", "spend_minor", "last_purchase_at"):
            f[f"category.{measure}"] = {}
        for category in CATEGORIES:
            if bought and rng.random() < 0.4:
                count, at = rng.randrange(0, bought + 1), last - timedelta(days=rng.randrange(0, 200))  # type: ignore[operator]
                value = count * rng.randrange(1_000, 30_000)
                categories.append(MemberCategoryStats(member=m, category=category, purchase_count=count, quantity=count,
                                                      spend_minor=value, last_purchase_at=at))  # fmt: skip
                f["category.purchase_count"][category], f["category.spend_minor"][category] = count, value
                f["category.last_purchase_at"][category] = _local(at)
        f["region"] = f["income_band"] = None
        if rng.random() < 0.5:
            region, band = rng.choice(["Pudong", "Puxi", "Minhang", ""]), rng.choice(["", "high", "low"])
            profiles.append(Profile(member=m, region=region, income_band=band))
            f["region"], f["income_band"] = region, band
        for name in TAGS:
            if rng.random() < 0.15:
                links.append(MemberTag(member=m, tag=tags[name], added_at=now()))
                f["tags"].add(name)
        facts[m.id] = f
    for model, rows in ((MemberStats, stats), (MemberCategoryStats, categories), (Profile, profiles),
                        (MemberTag, links)):  # fmt: skip
        model.objects.bulk_create(rows, batch_size=2000)
    return facts


def test_counts_over_twenty_thousand_members_match_the_rules():
    with time_machine.travel(NOON, tick=False):
        world = world_build(stores=1)
        facts = _crowd(world)
        for definition in TREES:
            tree = definition_parse(definition)
            started = timer.perf_counter()
            counted = members_matching(program=world.program, group=tree, now=now()).count()
            took = timer.perf_counter() - started
            expected = sum(1 for f in facts.values() if definition_holds(tree, f, TODAY))
            print(f"count {counted} of {SIZE} in {took * 1000:.0f} ms")
            assert counted == expected, definition
            assert 0 < expected < SIZE, "a tree that selects everyone or no one proves nothing"

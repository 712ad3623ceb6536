"""A member's personal catalogue: due categories, affinities, preferences and popular fallbacks, each with the
reason naming its evidence.

Days after START, Shanghai, now = day 80:

    zoe        coffee beans 0, 21, 42, 63 (every 21 days: due on day 84); running shoes 70
    a1 … a4    running shoes -200, sports socks -190: every watched shoe buyer went on to socks
    b1 … b6    green tea -200
    c1 … c3    green tea 60: three members in the last 90 days

Members 14, sock buyers 4: shoes → socks has confidence 1 and lift 14 / 4 = 3.5.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from tessera.analytics.recommendations import Source, member_catalogue
from tessera.analytics.tests.cycles_world import START, Buy, history_import
from tessera.blueprints.seeds import diamonds_ladder
from tessera.kit.clock import now as clock_now
from tessera.testing import world_build
from tessera.tiers.models import MemberTier, Tier, TierLadder
from tessera.tiers.services import tier_ladder_load

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.combine(START + timedelta(days=80), time(12), tzinfo=SHANGHAI)


def zoe_world(tmp_path):
    world = world_build(stores=2)
    buys = [Buy("zoe", d, "BEAN-1", "coffee beans") for d in (0, 21, 42, 63)] + [
        Buy("zoe", 70, "RUN-1", "running shoes")
    ]
    for n in range(1, 5):
        buys += [Buy(f"a{n}", -200, "RUN-1", "running shoes"), Buy(f"a{n}", -190, "SOCK-1", "sports socks")]
    buys += [Buy(f"b{n}", -200, "TEA-1", "green tea") for n in range(1, 7)]
    buys += [Buy(f"c{n}", 60, "TEA-1", "green tea") for n in range(1, 4)]
    members = history_import(world, buys, tmp_path)
    cache.clear()
    return world, members


@pytest.fixture
def zoe(tmp_path):
    return zoe_world(tmp_path)[1]["zoe"]


def catalogue_of(member, **kw):
    return member_catalogue(member=member, zone=SHANGHAI, now=NOW, merchant_id=None, language="en", **kw)


def test_each_source_gives_its_reason_strongest_first(zoe):
    rows = [(r.source, r.category, r.sku, r.reason) for r in catalogue_of(zoe).recommendations]
    assert rows == [
        (Source.DUE, "coffee beans", "", "You buy coffee beans about every 21 days; the last was 17 days ago."),
        (Source.AFFINITY, "", "SOCK-1",
         "100 % of members who bought Item RUN-1 bought Item SOCK-1 within 90 days."),
        (Source.AFFINITY, "sports socks", "",
         "100 % of members who bought running shoes bought sports socks within 90 days."),
        (Source.PREFERENCE, "running shoes", "", "One of your favourite categories: 20 % of your spending."),
        (Source.POPULAR, "green tea", "", "Popular with members: 3 bought it in the last 90 days."),
    ]  # fmt: skip


def test_the_evidence_carries_the_numbers_behind_each_reason(zoe):
    by_source = {r.source: r for r in catalogue_of(zoe).recommendations}
    due = by_source[Source.DUE].evidence
    assert (due["interval_days"], due["days_since_last"], due["next_expected_on"], due["regularity"]) == (
        21,
        17,
        (START + timedelta(days=84)).isoformat(),
        "regular",
    )
    affinity = by_source[Source.AFFINITY].evidence
    assert (affinity["members"], affinity["of_members"], affinity["confidence"], affinity["lift"]) == (4, 4, 1, 3.5)
    assert by_source[Source.POPULAR].evidence == {"members": 3, "days": 90, "tier": None}


def test_rhythms_come_with_the_catalogue(zoe):
    rhythms = {r.category: r for r in catalogue_of(zoe).rhythms}
    assert rhythms["coffee beans"].cycle.next_on == START + timedelta(days=84)


def test_a_limit_keeps_the_strongest(zoe):
    assert [r.source for r in catalogue_of(zoe, limit=2).recommendations] == [Source.DUE, Source.AFFINITY]
    with pytest.raises(ValueError, match="limit"):
        catalogue_of(zoe, limit=0)


def test_what_they_bought_lately_is_not_offered_again_by_affinity(tmp_path):
    world, members = zoe_world(tmp_path)
    history_import(world, [Buy("zoe", 75, "SOCK-1", "sports socks")], tmp_path)
    cache.clear()
    sources = {(r.source, r.category, r.sku) for r in catalogue_of(members["zoe"]).recommendations}
    assert (Source.AFFINITY, "sports socks", "") not in sources
    assert (Source.AFFINITY, "", "SOCK-1") not in sources


def test_a_newcomer_gets_the_popular_fallback_only(tmp_path):
    world, _members = zoe_world(tmp_path)
    newcomer = history_import(world, [Buy("new", 79, "BREAD", "bread")], tmp_path)["new"]
    recs = catalogue_of(newcomer).recommendations
    assert [(r.source, r.category) for r in recs] == [(Source.PREFERENCE, "bread"), (Source.POPULAR, "green tea")]


def test_the_popular_fallback_speaks_of_the_members_tier(tmp_path):
    world = world_build(stores=1)
    tier_ladder_load(program=world.program, spec=diamonds_ladder())
    buys = [Buy("zoe", 79, "BREAD", "bread")] + [Buy(f"c{n}", 60, "TEA-1", "green tea") for n in range(1, 5)]
    members = history_import(world, buys, tmp_path)
    ladder = TierLadder.objects.get(program=world.program, is_active=True)
    red, moment = Tier.objects.get(ladder=ladder, code="red"), clock_now()
    for who in ("zoe", "c1", "c2", "c3"):  # c4 stays out of the tier: three red members bought tea
        MemberTier.objects.update_or_create(
            member=members[who],
            ladder=ladder,
            defaults={
                "tier": red,
                "since": moment,
                "window_start": moment.date(),
                "created_at": moment,
                "updated_at": moment,
            },
        )
    cache.clear()
    popular = [r for r in catalogue_of(members["zoe"]).recommendations if r.source is Source.POPULAR]
    assert [(r.category, r.reason) for r in popular] == [
        ("green tea", "Popular with Red diamond members: 3 of them bought it in the last 90 days.")
    ]
    assert popular[0].evidence == {"members": 3, "days": 90, "tier": "Red diamond"}


def test_with_the_tables_cached_a_catalogue_reads_the_member_history_and_tier_only(zoe, django_assert_num_queries):
    catalogue_of(zoe)
    with django_assert_num_queries(2):  # the member's documents, their tier; affinities and popular are cached
        catalogue_of(zoe)

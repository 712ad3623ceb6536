"""Counting facts at checkout: cheap on the common path, exact at the edges of windows and grace periods."""

from __future__ import annotations

from datetime import date

import pytest

from tessera.blueprints.seeds import diamonds_ladder
from tessera.kit.db import sql_reads, use_case
from tessera.programs.models import Program
from tessera.tiers.models import MemberTier, TierEvent
from tessera.tiers.selectors import tier_place_read
from tessera.tiers.services import tier_facts_record
from tessera.tiers.tests.factories import at, code, evaluate, history, member_carded, place, record, world_in

pytestmark = pytest.mark.django_db
SH = "Asia/Shanghai"


def test_nothing_is_counted_for_a_programme_without_an_active_ladder():
    world = world_in(SH)
    member = member_carded(world, at(SH, "2025-01-10"))
    assert record(member, at(SH, "2025-02-01"), points=50_000) is None
    assert not MemberTier.objects.exists()


def test_the_first_fact_places_the_member_on_the_base_tier_in_their_card_year():
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2024-11-30", "23:30"))  # 15:30 UTC: the card date is 30 November
    record(member, at(SH, "2025-02-01"), points=100, spend_minor=10_000, purchases=1)
    row = place(member)
    assert (row.tier.code, row.anchor_on, row.window_start, row.window_end) == (
        "card", date(2024, 11, 30), date(2024, 11, 30), date(2025, 11, 30),
    )  # fmt: skip
    assert (row.points, row.spend_minor, row.purchase_count, row.lifetime_spend_minor) == (100, 10_000, 1, 10_000)


def test_one_sale_can_climb_several_tiers_and_is_recorded_once():
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2025-01-10"))
    change = record(member, at(SH, "2025-02-01", "15:00"), points=31_000)
    assert (change.from_code, change.to_code, change.from_rank, change.to_rank) == ("card", "blue", 0, 3)
    assert change.at == at(SH, "2025-02-01", "15:00")
    assert history(member) == [(None, "card", "joined", 0), ("card", "blue", "upgrade", 31_000)]


def test_the_common_path_writes_once_from_the_place_read_with_the_lock(django_assert_num_queries):
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2025-01-10"))
    record(member, at(SH, "2025-02-01"), points=100)
    program = Program.objects.get(id=member.program_id)
    with use_case():
        # Checkout sends this read with the account lock; the ladder comes from the configuration cache.
        (seen,) = sql_reads([tier_place_read(member_id=member.id, program=program)])
        with django_assert_num_queries(1):  # the row's UPDATE; no read-back
            tier_facts_record(member_id=member.id, program=program, points=200,
                              event_at=at(SH, "2025-02-02"), now=at(SH, "2025-02-02"), place=seen)  # fmt: skip
        with django_assert_num_queries(2):  # without it: the locked read, then the UPDATE
            tier_facts_record(member_id=member.id, program=program, points=300,
                              event_at=at(SH, "2025-02-02"), now=at(SH, "2025-02-02"))  # fmt: skip
    assert place(member).points == 600


def test_a_late_offline_sale_counts_in_its_own_window_until_that_window_is_closed():
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2025-01-10"))
    record(member, at(SH, "2025-12-01"), points=9_000)
    # A till that was offline sends a sale of 9 January after midnight of the 10th; the job has not run.
    record(member, at(SH, "2026-01-09", "20:00"), now=at(SH, "2026-01-10", "00:20"), points=1_500)
    assert (code(member), place(member).points, place(member).window_end) == ("red", 10_500, date(2026, 1, 10))
    # Once the year is closed, a later straggler from that year counts in the open one.
    evaluate(world, "2026-01-10")
    record(member, at(SH, "2026-01-09", "21:00"), now=at(SH, "2026-01-10", "09:00"), points=700)
    assert (code(member), place(member).points, place(member).window_start) == ("red", 700, date(2026, 1, 10))


def test_a_sale_years_after_the_last_one_closes_every_window_in_between():
    world = world_in(SH, spec={**diamonds_ladder(), "downgrade": "one_down"})
    member = member_carded(world, at(SH, "2025-01-10"))
    record(member, at(SH, "2025-03-01"), points=55_000)  # purple
    change = record(member, at(SH, "2028-02-01"), points=10)
    # Years 2026 and 2027 each take one tier with one_down: purple kept (55,000), then blue, then yellow.
    assert (change.from_code, change.to_code, change.reason) == ("purple", "yellow", "one_down")
    assert [h[:3] for h in history(member)][-2:] == [("purple", "blue", "one_down"), ("blue", "yellow", "one_down")]
    assert place(member).window_start == date(2028, 1, 10)
    assert TierEvent.objects.filter(member=member).count() == 4

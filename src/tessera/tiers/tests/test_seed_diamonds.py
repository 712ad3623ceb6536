"""Seed 002 (designs 2 and 3), the clothing chain's annual diamonds, replayed sale by sale.

1 yuan spent is 1 point. Annual points count from the card date to the day before its anniversary; 10,000 make a
red diamond (10% off), 20,000 yellow (15%), 30,000 blue (20%), 50,000 purple (20%); the card member has 10% off.
Members move up the moment points are earned; at the anniversary the count resets to zero and the year's points
decide the tier for the next year.
"""

from __future__ import annotations

from datetime import date

import pytest

from tessera.blueprints.seeds import diamonds_ladder
from tessera.programs.models import Program
from tessera.tiers.selectors import tier_benefits_get
from tessera.tiers.tests.factories import at, code, evaluate, history, member_carded, place, record, world_in

pytestmark = pytest.mark.django_db
SH, SEOUL = "Asia/Shanghai", "Asia/Seoul"


def discount(member) -> int:
    benefits = tier_benefits_get(
        member_id=member.id, program=Program.objects.get(id=member.program_id), language="zh-hans"
    )
    assert benefits is not None
    return benefits.discount_bp


def test_a_members_first_two_years_in_shanghai():
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2025-03-15", "10:00"))  # card date 15 March 2025
    assert discount(member) == 1000  # the card member's 10% off, before any tier row exists

    # Year 1: 15 March 2025 to 14 March 2026.
    assert record(member, at(SH, "2025-03-15", "14:00"), points=1_280, spend_minor=128_000, purchases=1) is None
    assert (code(member), place(member).points) == ("card", 1_280)
    assert place(member).window_start == date(2025, 3, 15)
    assert place(member).window_end == date(2026, 3, 15)
    record(member, at(SH, "2025-04-30", "23:30"), points=3_720)
    assert (code(member), place(member).points) == ("card", 5_000)

    change = record(member, at(SH, "2025-06-18", "15:00"), points=6_000)  # 11,000: red at once
    assert change is not None
    assert (change.from_code, change.to_code, change.reason) == ("card", "red", "upgrade")
    assert (code(member), discount(member)) == ("red", 1000)

    record(member, at(SH, "2025-09-30", "23:59:59"), points=9_500)  # 20,500: yellow at once
    assert (code(member), discount(member)) == ("yellow", 1500)
    # A return one second later, in October, takes 1,000 points back: 19,500 is below yellow's 20,000, but
    # returns never downgrade before the window's evaluation.
    assert record(member, at(SH, "2025-10-01", "00:00:01"), points=-1_000, spend_minor=-100_000) is None
    assert (code(member), place(member).points, discount(member)) == ("yellow", 19_500, 1500)

    record(member, at(SH, "2026-02-28", "16:00"), points=5_000)
    record(member, at(SH, "2026-03-14", "23:59"), points=4_000)  # the last day of year 1: 28,500
    assert (code(member), place(member).points) == ("yellow", 28_500)

    # Midnight of 15 March 2026 in Shanghai: the count resets; 28,500 keeps yellow for year 2.
    assert evaluate(world, "2026-03-14")["windows_closed"] == 0
    assert evaluate(world, "2026-03-15")["windows_closed"] == 1
    row = place(member)
    assert (row.tier.code, row.points, row.window_start, row.window_end) == ("yellow", 0, date(2026, 3, 15),
                                                                            date(2027, 3, 15))  # fmt: skip
    assert row.lifetime_spend_minor == 28_000  # 1,280 yuan, less the 1,000 returned

    # 30 seconds into 15 March local time is still 14 March in UTC; it counts in year 2.
    record(member, at(SH, "2026-03-15", "00:00:30"), points=2_000)
    record(member, at(SH, "2026-08-08", "13:00"), points=10_500)
    assert (code(member), place(member).points) == ("yellow", 12_500)

    evaluate(world, "2027-03-15")  # 12,500 in year 2 reaches only red
    assert (code(member), discount(member)) == ("red", 1000)
    evaluate(world, "2028-03-15")  # nothing in year 3: back to the card member
    assert code(member) == "card"
    assert history(member) == [
        (None, "card", "joined", 0),
        ("card", "red", "upgrade", 11_000),
        ("red", "yellow", "upgrade", 20_500),
        ("yellow", "red", "reevaluated", 12_500),
        ("red", "card", "reevaluated", 0),
    ]


def test_running_the_evaluation_twice_changes_nothing():
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2025-01-10"))
    record(member, at(SH, "2025-05-01"), points=12_000)
    assert evaluate(world, "2026-01-10")["windows_closed"] == 1
    before = (place(member).updated_at, history(member))
    again = evaluate(world, "2026-01-10")
    assert (again["windows_closed"], again["tier_changes"], again["batches"]) == (0, 0, 0)
    assert (place(member).updated_at, history(member)) == before


def test_a_return_below_the_threshold_costs_the_tier_at_the_anniversary_not_before():
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2025-01-10"))
    record(member, at(SH, "2025-05-01"), points=20_300)  # yellow
    record(member, at(SH, "2025-05-03"), points=-800, spend_minor=-80_000)  # 19,500: below yellow's threshold
    assert (code(member), discount(member)) == ("yellow", 1500)
    evaluate(world, "2026-01-09")
    assert code(member) == "yellow"
    evaluate(world, "2026-01-10")
    assert (code(member), discount(member)) == ("red", 1000)
    assert history(member)[-1] == ("yellow", "red", "reevaluated", 19_500)


def test_a_return_after_the_anniversary_is_taken_from_the_new_year():
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2025-01-10"))
    record(member, at(SH, "2025-12-30"), points=10_500)  # red; kept for 2026 at the anniversary
    evaluate(world, "2026-01-10")
    record(member, at(SH, "2026-01-20"), points=-10_500)  # the sale comes back after the count reset
    row = place(member)
    assert (row.tier.code, row.points) == ("red", -10_500)  # year 2 must earn it again before counting up


def test_a_leap_day_card_in_seoul_and_a_sale_at_midnight_before_the_job_runs():
    world = world_in(SEOUL, spec=diamonds_ladder())
    member = member_carded(world, at(SEOUL, "2024-02-29", "09:00"))
    record(member, at(SEOUL, "2025-02-28", "23:59"), points=10_000)  # the last day of year 1 (no 29 February)
    assert (code(member), place(member).window_end) == ("red", date(2025, 3, 1))

    # 10 seconds after midnight on 1 March in Seoul (still 28 February in UTC), before the midnight job: the sale
    # closes year 1 itself (10,000 keeps red) and counts in year 2.
    change = record(member, at(SEOUL, "2025-03-01", "00:00:10"), points=3_000)
    assert change is None
    row = place(member)
    assert (row.tier.code, row.points, row.window_start, row.window_end) == ("red", 3_000, date(2025, 3, 1),
                                                                            date(2026, 3, 1))  # fmt: skip
    assert evaluate(world, "2025-03-01")["windows_closed"] == 0  # the job finds nothing left to do

    evaluate(world, "2026-03-01")  # 3,000 in year 2
    assert code(member) == "card"
    evaluate(world, "2027-03-01")
    assert (place(member).window_start, place(member).window_end) == (date(2027, 3, 1), date(2028, 2, 29))
    assert history(member)[-1] == ("red", "card", "reevaluated", 3_000)

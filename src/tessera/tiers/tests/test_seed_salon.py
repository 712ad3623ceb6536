"""Seed 000, the beauty salon after its redesign: tiers by the stored value a member has put in, for life.

2,000 yuan put in gives 10% off, 5,000 gives 20%, 8,000 gives 30%. Only principal counts (a top-up's bonus does
not), the count never resets, and members move up the moment a top-up reaches a threshold.
"""

from __future__ import annotations

from datetime import date

import pytest

from tessera.blueprints.seeds import salon_ladder
from tessera.programs.models import Program
from tessera.tiers.selectors import tier_benefits_get
from tessera.tiers.tests.factories import at, code, evaluate, history, member_carded, place, record, world_in

pytestmark = pytest.mark.django_db
SH = "Asia/Shanghai"


def discount(member) -> int:
    benefits = tier_benefits_get(member_id=member.id, program=Program.objects.get(id=member.program_id), language="ko")
    assert benefits is not None
    return benefits.discount_bp


def test_a_members_top_ups_and_visits_over_two_years():
    world = world_in(SH, spec=salon_ladder())
    member = member_carded(world, at(SH, "2025-01-08", "11:00"))
    assert discount(member) == 0  # no tier discount before 2,000 yuan is put in

    record(member, at(SH, "2025-01-08", "11:05"), stored_value_minor=100_000)  # 1,000 yuan
    assert (code(member), discount(member)) == ("member", 0)
    record(member, at(SH, "2025-01-08", "12:00"), spend_minor=38_000, purchases=1)  # spending changes nothing
    change = record(member, at(SH, "2025-03-31", "23:59:59"), stored_value_minor=100_000)  # 2,000 in all
    assert (change.from_code, change.to_code) == ("member", "silver")
    assert discount(member) == 1000  # 10% off

    record(member, at(SH, "2025-04-01", "00:00:01"), stored_value_minor=250_000)  # 4,500
    assert code(member) == "silver"
    evaluate(world, "2026-01-01")  # a lifetime window has no year end
    record(member, at(SH, "2026-02-14"), stored_value_minor=50_000)  # 5,000
    assert (code(member), discount(member)) == ("gold", 2000)
    record(member, at(SH, "2026-05-20"), stored_value_minor=300_000)  # 8,000
    assert (code(member), discount(member)) == ("platinum", 3000)

    row = place(member)
    assert (row.stored_value_minor, row.window_start, row.window_end) == (800_000, date(2025, 1, 8), None)
    assert [h[1:] for h in history(member)] == [
        ("member", "joined", 0), ("silver", "upgrade", 200_000), ("gold", "upgrade", 500_000),
        ("platinum", "upgrade", 800_000),
    ]  # fmt: skip


def test_a_refunded_top_up_lowers_the_count_but_never_the_tier():
    world = world_in(SH, spec=salon_ladder())
    member = member_carded(world, at(SH, "2025-01-08"))
    record(member, at(SH, "2025-01-08"), stored_value_minor=500_000)
    record(member, at(SH, "2025-02-01"), stored_value_minor=-300_000)  # 3,000 yuan refunded
    assert (code(member), place(member).stored_value_minor, discount(member)) == ("gold", 200_000, 2000)
    evaluate(world, "2030-01-01")
    assert code(member) == "gold"  # a lifetime ladder never re-evaluates
    record(member, at(SH, "2025-03-01"), stored_value_minor=300_000)
    assert code(member) == "gold"  # back to 5,000: not yet platinum

"""The configuration cache: every write to a programme's tiers, rules or gift ladders moves its version, so a
sale never prices with a copy older than the programme row it read. Runs on SQLite and PostgreSQL (triggers).
"""

from __future__ import annotations

from datetime import date

import pytest

from tessera.blueprints.seeds import diamonds_ladder
from tessera.blueprints.tests.till import buy, local
from tessera.earning.models import EarningRule
from tessera.programs.models import Program
from tessera.rewards.models import GiftStep
from tessera.rewards.services import StepSpec, gift_ladder_create
from tessera.testing import member_new
from tessera.tiers.models import Tier, TierTranslation
from tessera.tiers.tests.factories import ladder_of, world_in

pytestmark = pytest.mark.django_db
SH = "Asia/Shanghai"


def version(world) -> int:
    return Program.objects.values_list("config_version", flat=True).get(id=world.program.id)


@pytest.fixture
def world():
    return world_in(SH, spec=diamonds_ladder())


def test_every_write_to_a_cached_table_moves_the_version(world):
    ladder = ladder_of(world)
    steps = [StepSpec(threshold_points=1000, amount_minor=5000, categories=["clothing"])]
    writes = [
        lambda: ladder.save(),
        lambda: Tier.objects.filter(ladder=ladder, rank=1).update(discount_bp=1200),
        lambda: TierTranslation.objects.filter(tier__ladder=ladder, language_code="ko").delete(),
        lambda: EarningRule.objects.create(
            program=world.program, code="wed", kind="weekday", weekday=3, factor_permille=2000
        ),
        lambda: EarningRule.objects.filter(program=world.program).delete(),
        lambda: gift_ladder_create(program=world.program, name="Monthly", steps=steps, active_from=date(2026, 1, 1)),
        lambda: GiftStep.objects.filter(ladder__program=world.program).update(amount_minor=6000),
    ]
    for write in writes:
        before = version(world)
        write()
        assert version(world) > before, write


def test_saving_a_programme_read_before_a_change_keeps_the_newer_version(world):
    stale = Program.objects.get(id=world.program.id)
    Tier.objects.filter(ladder=ladder_of(world), rank=1).update(discount_bp=1200)
    moved = version(world)
    stale.name = "Renamed"
    stale.save()
    assert version(world) == moved
    assert Program.objects.get(id=world.program.id).name == "Renamed"


def test_a_sale_after_a_tier_change_gets_the_new_discount_and_points(world):
    member = member_new(world)
    first = buy(world.a, member, [10000], local(SH, "2026-05-01 10:00:00"))
    assert first["total_minor"] == 9000  # the card tier's 10 per cent
    base = Tier.objects.get(ladder=ladder_of(world), rank=0)
    base.discount_bp, base.multiplier_permille = 2500, 2000
    base.save()  # as the admin would
    second = buy(world.a, member, [10000], local(SH, "2026-05-01 10:05:00"))
    assert second["total_minor"] == 7500
    assert second["points"]["earned"] == 150  # 75 yuan at 1 point a yuan, doubled

"""The clothing chain's programme under sixteen tills selling to one member at once, each on its own connection.

Checkout reads the member's place on the diamond ladder and their month on the gift ladder with the account
lock, decides upgrades and gifts in Python, and writes the results back without reading them again. That is
exact only if those reads wait for the lock: read before it, two sales would start from the same counters and
the second would write over the first. Runs on both databases (row locks on PostgreSQL, the IMMEDIATE write
lock on SQLite).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from django.db import connection

from tessera.blueprints.tests.till import template
from tessera.checkout.commands import TenderIn
from tessera.checkout.services import sale_commit
from tessera.kit.clock import now
from tessera.ledger.verify import ledger_verify
from tessera.members.selectors import member_balances
from tessera.rewards.models import MemberPeriodPoints, RewardGrant
from tessera.testing import member_new, sale_in, world_build
from tessera.tiers.models import MemberTier, TierEvent

pytestmark = pytest.mark.django_db(transaction=True)

SALES = 40


def test_forty_sales_at_once_count_every_point_once_and_unlock_every_step_once():
    world = world_build(name="Zhouyi")
    template(world, "clothing_diamonds", "clothing_monthly_gifts")
    member = member_new(world)

    def sell(i: int) -> int:
        try:
            # 300 yuan less the card's (and the red diamond's) 10 %: 270 yuan paid, 270 points.
            sale = replace(sale_in(member, [(1, 30_000)], pos_number=f"race-{i}"), tenders=(TenderIn("cash", 27_000),))
            body = sale_commit(actor=world.shops[i % 2].actor, sale=sale, request_key=f"race-{i}", now=now()).body
            return int(body["points"]["earned"])
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        earned = list(pool.map(sell, range(SALES)))
    assert earned == [270] * SALES
    place = MemberTier.objects.get(member=member)
    assert (place.points, place.purchase_count, place.spend_minor) == (10_800, SALES, 27_000 * SALES)
    assert place.tier.code == "red"
    assert list(TierEvent.objects.filter(member=member).order_by("id").values_list("reason", flat=True)) == [
        "joined",
        "upgrade",
    ]
    assert list(MemberPeriodPoints.objects.filter(member=member).values_list("points", flat=True)) == [10_800]
    steps = RewardGrant.objects.filter(member=member).values_list("step__threshold_points", "state")
    assert sorted(steps) == [(1_000, "unlocked"), (2_000, "unlocked"), (3_000, "unlocked")]
    assert member_balances(member=member).points == 10_800
    assert ledger_verify() == []

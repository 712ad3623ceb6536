"""How often a sale waits for PostgreSQL: the till's latency and the server's CPU both follow it.

A sale waits five times: to begin (psycopg waits for BEGIN), to claim its key and find its member, for the
account lock with everything decided under it (the duplicate check, the tier place, the gift month), for all
its writes, and to commit.
The clothing chain's templates (diamonds, monthly gifts, member days) add no wait, not even to the sale
that unlocks a gift or moves the member up.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tessera.blueprints.tests.till import template
from tessera.checkout.commands import TenderIn
from tessera.checkout.services import sale_commit
from tessera.kit.clock import now
from tessera.rewards.models import RewardGrant
from tessera.testing import key, member_new, protocol_messages, round_trips, sale_in, sell, world_build

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def trips_of_a_sale(world, member, amount: int, paid: int) -> int:
    sale = replace(sale_in(member, [(1, amount)]), tenders=(TenderIn("cash", paid),))
    with protocol_messages() as sent:
        sale_commit(actor=world.a.actor, sale=sale, request_key=key(), now=now())
    return round_trips(sent)


def test_a_sale_without_programme_features_waits_five_times():
    world = world_build()
    member = member_new(world)
    sell(world.a, member)  # the store's accounts are opened and remembered
    assert trips_of_a_sale(world, member, 10_000, paid=10_000) == 5


def test_the_clothing_templates_add_no_wait_even_to_a_sale_that_unlocks_a_gift():
    world = world_build(name="Zhouyi")
    template(world, "clothing_diamonds", "clothing_monthly_gifts", "member_days")
    trips_of_a_sale(world, member_new(world), 1_000, paid=900)  # loads the configuration, opens store accounts
    member = member_new(world)
    # 9 points: joins the ladder and opens the month (the card date comes with the member, not from a query).
    assert trips_of_a_sale(world, member, 1_000, paid=900) == 5
    # 2,000 yuan less the card's 10 %: 1,800 points or more, past the 1,000 step.
    assert trips_of_a_sale(world, member, 200_000, paid=180_000) == 5
    assert RewardGrant.objects.filter(member=member).exists()
    # 10 yuan: no step crossed (1,818 points, or 3,636 on a member day, past the top step already).
    assert trips_of_a_sale(world, member, 1_000, paid=900) == 5

"""Worked examples of each stored-value spending order, through a real sale and its full return."""

from __future__ import annotations

import pytest

from tessera.members.selectors import member_balances
from tessera.programs.models import Program
from tessera.testing import band_set, give_back, member_new, sell, top_up, world_build


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("order", "principal_after", "bonus_after"),
    [
        # 1,000.00 principal + 100.00 bonus; a 300.00 sale paid wholly from stored value.
        ("proportional", 100000 - 27272, 10000 - 2728),  # 300.00 x 1,000 / 1,100 = 272.72 (down), rest bonus
        ("principal_first", 100000 - 30000, 10000),
        ("bonus_first", 100000 - 20000, 0),  # 100.00 bonus first, then 200.00 principal
    ],
)
def test_each_spending_order_splits_a_sale_and_its_return_gives_it_back(order, principal_after, bonus_after):
    world = world_build()
    band_set(world, 100000, 10000)
    Program.objects.filter(id=world.program.id).update(stored_value_spend_order=order)
    member = member_new(world)
    top_up(world.a, member, 100000)

    sell(world.a, member, [(1, 30000)], sv=30000, pos_number=f"S-{order}")
    balances = member_balances(member=member)
    assert (balances.sv_principal_minor, balances.sv_bonus_minor) == (principal_after, bonus_after)

    give_back(world.a, f"S-{order}")
    balances = member_balances(member=member)
    assert (balances.sv_principal_minor, balances.sv_bonus_minor) == (100000, 10000)

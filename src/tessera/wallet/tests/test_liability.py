"""The liability report: stored value outstanding per store and per merchant, and the custody deposit."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tessera.members.selectors import member_balances
from tessera.testing import band_set, member_new, sell, top_up, world_build
from tessera.wallet.models import StoredValueProfile
from tessera.wallet.rules import custody_minor
from tessera.wallet.selectors import stored_value_liability_list


@pytest.mark.django_db
def test_money_taken_in_at_one_store_and_spent_at_another_is_owed_by_the_merchant(capsys):
    # Top up 1,000.00 at store A with a +100.00 bonus band; spend 110.00 of it at store B. The programme spends
    # proportionally: 100.00 principal and 10.00 bonus. What members still hold is A's money, 900.00 + 90.00 (B is
    # owed the 110.00 by A, which is settlement's business, not a liability to members); the merchant owes
    # 900.00 + 90.00, and China's 20% custody is 198.00.
    world = world_build()
    band_set(world, 100000, 10000)
    StoredValueProfile.objects.create(program=world.program, jurisdiction="cn", named_balance_max_minor=500_000,
                                      anonymous_balance_max_minor=100_000, custody_ratio_bp=2000)  # fmt: skip
    member = member_new(world)
    top_up(world.a, member, 100000)
    sell(world.b, member, [(1, 11000)], sv=11000)

    rows = {(r.store_code, r.principal_minor, r.bonus_minor, r.custody_minor) for r in stored_value_liability_list()}

    assert rows == {(world.a.store.code, 90000, 9000, None), ("", 90000, 9000, 19800)}
    balances = member_balances(member=member)
    assert (balances.sv_principal_minor, balances.sv_bonus_minor) == (90000, 9000)
    call_command("wallet", "liability")
    assert "\t*\tCNY\t90000\t9000\t19800" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("outstanding", "ratio_bp", "custody"),
    [(100005, 2000, 20001), (100000, 2000, 20000), (1, 2000, 1), (0, 2000, 0), (-500, 2000, 0), (123, 10000, 123)],
)
def test_custody_is_rounded_up_and_never_negative(outstanding, ratio_bp, custody):
    assert custody_minor(outstanding, ratio_bp) == custody

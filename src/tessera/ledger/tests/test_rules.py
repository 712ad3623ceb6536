from __future__ import annotations

import pytest

from tessera.ledger.rules import Bounds, Leg, Unbalanced, balances_after, legs_check_balanced, legs_compact


def test_a_posting_needs_two_entries_that_sum_to_zero_per_unit():
    legs_check_balanced([Leg(1, "PTS", 5), Leg(2, "PTS", -5), Leg(3, "CNY", 10), Leg(4, "CNY", -10)])
    with pytest.raises(Unbalanced):
        legs_check_balanced([Leg(1, "PTS", 5), Leg(2, "CNY", -5)])
    with pytest.raises(Unbalanced):
        legs_check_balanced([Leg(1, "PTS", 0)])


def test_zero_legs_are_dropped():
    assert legs_compact([Leg(1, "PTS", 0), Leg(2, "PTS", 3)]) == [Leg(2, "PTS", 3)]


def test_running_balances_and_the_first_breach():
    legs = [Leg(1, "PTS", -30), Leg(9, "PTS", 30), Leg(1, "PTS", -80)]
    after, delta, breach = balances_after(legs, {1: Bounds(100, 0, None)})
    assert after == [70, None, -10]
    assert delta == {1: -110}
    assert breach is not None
    assert (breach.balance, breach.requested, breach.below_floor) == (100, -110, True)


def test_a_ceiling_is_a_breach_too():
    _, _, breach = balances_after([Leg(1, "CNY", 600)], {1: Bounds(450000, 0, 500000)})
    assert breach is None
    _, _, breach = balances_after([Leg(1, "CNY", 50001)], {1: Bounds(450000, 0, 500000)})
    assert breach is not None
    assert not breach.below_floor

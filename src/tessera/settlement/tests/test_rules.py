"""Settlement arithmetic without a database: valuation, rounding, netting and the statement identities."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tessera.settlement.rules import (
    BONUS_OUT,
    POINTS_REDEEMED,
    PRINCIPAL_IN,
    PRINCIPAL_OUT,
    Flow,
    Terms,
    period_bounds,
    round_half_away,
    settle,
)


def test_a_month_is_bounded_by_local_midnights():
    start, end = period_bounds(2026, 12, "Asia/Seoul")
    assert start == datetime(2026, 12, 1, tzinfo=ZoneInfo("Asia/Seoul"))
    assert end == datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Seoul"))
    assert (end - start).days == 31


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(25, 10, 3), (24, 10, 2), (-25, 10, -3), (-24, 10, -2), (0, 7, 0), (10_000, 10_000, 1)],
)
def test_halves_round_away_from_zero(numerator, denominator, expected):
    assert round_half_away(numerator, denominator) == expected


def test_bonus_is_settled_at_the_agreed_rate_and_points_at_their_value():
    # C spent 33.33 of A's bonus and redeemed 255 of A's points; bonus at 50%, 10 points = 1.00.
    flows = [Flow(3, BONUS_OUT, 1, "sale", 3_333), Flow(3, POINTS_REDEEMED, 1, "redemption", 255)]
    result = settle(flows, store_ids=[1, 3], opening={}, terms=Terms(5_000, 10, 100))
    (ob,) = result.obligations
    assert (ob.debtor_id, ob.creditor_id, ob.bonus_minor, ob.points_minor) == (1, 3, 1_667, 2_550)
    assert [(t.payer_id, t.payee_id, t.amount_minor) for t in result.transfers] == [(1, 3, 4_217)]


def test_without_terms_bonus_is_not_settled():
    result = settle([Flow(2, BONUS_OUT, 1, "sale", 1_000)], store_ids=[1, 2], opening={}, terms=Terms())
    assert result.transfers == []
    assert {s.store_id: s.bonus_payable_minor for s in result.statements} == {1: 1_000, 2: 0}


flow = st.builds(
    Flow,
    store_id=st.integers(1, 4),
    kind=st.sampled_from([PRINCIPAL_IN, PRINCIPAL_OUT, BONUS_OUT, POINTS_REDEEMED]),
    origin_id=st.one_of(st.none(), st.integers(1, 4)),
    reason=st.sampled_from(["sale", "return", "top_up", "top_up_refund"]),
    amount=st.integers(-50_000, 50_000),
)


@given(st.lists(flow, max_size=30), st.integers(0, 10_000))
def test_nets_sum_to_zero_and_transfers_settle_every_net(flows, rate):
    flows = [f for f in flows if f.origin_id != f.store_id]  # the ledger never names an entry's own store
    result = settle(flows, store_ids=[1, 2, 3, 4], opening={}, terms=Terms(rate, 3, 7))
    nets = {s.store_id: s.net_minor for s in result.statements}
    assert sum(nets.values()) == 0
    paid = dict.fromkeys(nets, 0)
    for t in result.transfers:
        assert t.amount_minor > 0
        paid[t.payer_id] -= t.amount_minor
        paid[t.payee_id] += t.amount_minor
    assert paid == nets
    for s in result.statements:
        assert s.principal_closing_minor == (
            s.principal_taken_in_minor - s.principal_paid_back_minor - s.principal_spent_here_minor
            + s.principal_receivable_minor - s.principal_payable_minor
        )  # fmt: skip

"""Settlement arithmetic without a database: valuation, rounding, netting and the statement identities."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tessera.settlement.rules import (
    BONUS_OUT,
    POINTS_EXPIRED,
    POINTS_REDEEMED,
    PRINCIPAL_IN,
    PRINCIPAL_OUT,
    Flow,
    Terms,
    merchants_settle,
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


@pytest.mark.parametrize(
    ("value_points", "value_minor", "points", "expected_minor"),
    [(10, 100, 300, 3_000), (2, 1, 1, 1), (2, 1, 3, 2), (2, 1, 4, 2), (3, 7, 1, 2), (3, 7, 2, 5), (3, 7, 5, 12)],
)
def test_points_expired_are_valued_per_store_and_month_half_away_from_zero(
    value_points, value_minor, points, expected_minor
):
    """``value_points`` points are worth ``value_minor``: at 2 for 0.01 one point is 0.5 fen, rounded to 1, and
    three are 1.5, rounded to 2; at 3 for 0.07 five points are 11.67 fen, rounded to 12."""
    flows = [Flow(1, POINTS_EXPIRED, None, "expiry", points)]
    (statement,) = settle(flows, store_ids=[1], opening={}, terms=Terms(0, value_points, value_minor)).statements
    assert (statement.points_expired, statement.points_expired_minor) == (points, expected_minor)


def test_breakage_is_owed_by_nobody_and_a_merchant_adds_up_its_stores_rounded_figures():
    # Stores 1 and 2 (merchant 10) each see 5 points lapse, at 3 points for 0.07: 12 fen each, so 24 for the
    # merchant, not the 23 that 10 points would round to.
    flows = [Flow(1, POINTS_EXPIRED, None, "expiry", 5), Flow(2, POINTS_EXPIRED, None, "expiry", 5)]
    result = settle(flows, store_ids=[1, 2, 3], opening={}, terms=Terms(0, 3, 7))
    assert (result.obligations, result.transfers) == ([], [])
    assert [s.net_minor for s in result.statements] == [0, 0, 0]
    between = merchants_settle(result.obligations, statements=result.statements, merchant_of={1: 10, 2: 10, 3: 20},
                               merchant_ids=[10, 20], operator_id=10, commission_bp=1_000)  # fmt: skip
    assert [(m.merchant_id, m.points_expired, m.points_expired_minor) for m in between.statements] == [
        (10, 10, 24), (20, 0, 0)]  # fmt: skip


flow = st.builds(
    Flow,
    store_id=st.integers(1, 4),
    kind=st.sampled_from([PRINCIPAL_IN, PRINCIPAL_OUT, BONUS_OUT, POINTS_REDEEMED, POINTS_EXPIRED]),
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

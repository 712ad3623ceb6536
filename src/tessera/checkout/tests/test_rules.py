"""Pure checkout arithmetic: rounding tables and properties that must hold for every input."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tessera.checkout.commands import JoinIn, LineIn, RedemptionIn, ReturnIn, ReturnLineIn, SaleIn, TenderIn, TopUpIn
from tessera.checkout.rules import (
    ReturnFigures,
    SaleFigures,
    ShortfallPolicy,
    SpendOrder,
    allocate,
    return_figures,
    returned_line_value,
    shortfall_settle,
    stored_value_split,
)
from tessera.kit.fingerprint import fingerprint
from tessera.programs.rules import PointValue


class TestAllocate:
    def test_parts_sum_exactly_and_follow_the_weights(self):
        assert allocate(10, [1, 1, 1]) == [4, 3, 3]
        assert allocate(257, [25800, 29900]) == [119, 138]

    @given(st.integers(0, 10**6), st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
    def test_always_sums_to_total(self, total, weights):
        parts = allocate(total, weights)
        assert sum(parts) == (total if sum(weights) else 0)
        assert all(p >= 0 for p in parts)


class TestStoredValueSplit:
    @pytest.mark.parametrize(
        ("order", "expected"),
        [
            (SpendOrder.PROPORTIONAL, (27272, 2728)),  # 300.00 from 1,000.00 principal + 100.00 bonus
            (SpendOrder.PRINCIPAL_FIRST, (30000, 0)),
            (SpendOrder.BONUS_FIRST, (20000, 10000)),
        ],
    )
    def test_worked_examples(self, order, expected):
        assert stored_value_split(amount=30000, principal=100000, bonus=10000, order=order) == expected

    @given(st.integers(0, 10**9), st.integers(0, 10**9), st.data())
    def test_never_takes_more_than_either_balance(self, principal, bonus, data):
        amount = data.draw(st.integers(0, principal + bonus))
        for order in SpendOrder:
            p, b = stored_value_split(amount=amount, principal=principal, bonus=bonus, order=order)
            assert p + b == amount
            assert 0 <= p <= principal
            assert 0 <= b <= bonus


SALE = SaleFigures(total=55700, points=257, sv_principal=27272, sv_bonus=2728)


class TestReturnFigures:
    def test_partial_return_worked_example(self):
        """Returning one 129.00 shirt of a 557.00 sale paid 300.00 from stored value (272.72 + 27.28 bonus).

        Points kept: floor(257 x 428 / 557) = 197, so 60 come back. Stored value refunded:
        floor(30000 x 12900 / 55700) = 6947, of which principal floor(27272 x 6947 / 30000) = 6315, bonus 632;
        the other 59.53 goes back through the cash tender.
        """
        figures = return_figures(SALE, value_before=0, value=12900)
        assert figures == ReturnFigures(value=12900, points=60, sv_principal=6315, sv_bonus=632)
        assert figures.external == 5953

    def test_rest_of_the_sale_gives_back_exactly_what_is_left(self):
        first = return_figures(SALE, value_before=0, value=12900)
        rest = return_figures(SALE, value_before=12900, value=42800)
        assert first.points + rest.points == SALE.points
        assert first.sv_principal + rest.sv_principal == SALE.sv_principal
        assert first.sv_bonus + rest.sv_bonus == SALE.sv_bonus

    @settings(max_examples=300)
    @given(
        st.integers(1, 10**8),
        st.integers(0, 10**6),
        st.data(),
        st.lists(st.integers(1, 100), min_size=1, max_size=8),
    )
    def test_any_sequence_of_partials_never_exceeds_and_ends_exact(self, total, points, data, cuts):
        sv_principal = data.draw(st.integers(0, total))
        sv_bonus = data.draw(st.integers(0, total - sv_principal))
        sale = SaleFigures(total, points, sv_principal, sv_bonus)
        weight = sum(cuts)
        done, given_back = 0, [0, 0, 0, 0]
        for i, cut in enumerate(cuts):
            value = total - done if i == len(cuts) - 1 else total * cut // weight
            f = return_figures(sale, value_before=done, value=value)
            done += value
            step = [f.value, f.points, f.sv_principal, f.sv_bonus]
            given_back = [a + b for a, b in zip(given_back, step, strict=True)]
            assert min(f.points, f.sv_principal, f.sv_bonus, f.external) >= 0
            assert given_back[1] <= points
        assert given_back == [total, points, sv_principal, sv_bonus]

    def test_kept_points_follow_the_earning_rounding(self):
        """F-4: points kept = floor(p x (1 - f)); here p = 3, f = 1/3 keeps 2."""
        sale = SaleFigures(total=300, points=3, sv_principal=0, sv_bonus=0)
        assert return_figures(sale, value_before=0, value=100).points == 1

    def test_line_values_telescope_to_the_line_amount(self):
        parts = [returned_line_value(amount=1000, quantity=3, returned_before=k, returning=1) for k in range(3)]
        assert parts == [333, 333, 334]


VALUE = PointValue(points=100, minor=100)  # 100 points = 1.00 yuan


class TestShortfall:
    refund = ReturnFigures(value=12900, points=60, sv_principal=6316, sv_bonus=631)

    def test_nothing_missing(self):
        s = shortfall_settle(points=60, balance=500, refund=self.refund, policy=ShortfallPolicy.DEBT, value=VALUE)
        assert (s.from_balance, s.as_debt, s.in_money, s.deducted_minor) == (60, 0, 0, 0)

    def test_debt_policy_records_every_missing_point(self):
        s = shortfall_settle(points=60, balance=57, refund=self.refund, policy=ShortfallPolicy.DEBT, value=VALUE)
        assert (s.from_balance, s.as_debt, s.in_money) == (57, 3, 0)

    def test_deduct_policy_cuts_the_cash_refund_first(self):
        s = shortfall_settle(
            points=60, balance=0, refund=self.refund, policy=ShortfallPolicy.DEDUCT_FROM_REFUND, value=VALUE
        )
        assert (s.in_money, s.deduct_external, s.deduct_principal, s.deduct_bonus) == (60, 60, 0, 0)

    def test_value_rounds_up_against_the_member(self):
        """3 points at 1 yuan per 100 points is 0.03 yuan; 1 point at 1 yuan per 300 points rounds up to 1 fen."""
        coarse = PointValue(points=300, minor=100)
        s = shortfall_settle(
            points=1, balance=0, refund=self.refund, policy=ShortfallPolicy.DEDUCT_FROM_REFUND, value=coarse
        )
        assert s.deducted_minor == 1

    def test_what_the_refund_cannot_cover_becomes_debt(self):
        small = ReturnFigures(value=50, points=200, sv_principal=10, sv_bonus=5)  # 0.50 refund, 2.00 owed
        s = shortfall_settle(
            points=200, balance=0, refund=small, policy=ShortfallPolicy.DEDUCT_FROM_REFUND, value=VALUE
        )
        assert (s.in_money, s.as_debt) == (50, 150)
        assert (s.deduct_external, s.deduct_principal, s.deduct_bonus) == (35, 10, 5)


def _asdict_canonical(command):
    """How bodies were made canonical before: the fingerprints stored with earlier requests came from this."""
    body = asdict(command)
    body["event_at"] = command.event_at.isoformat()
    if "coupons" in body and body["coupons"] is None:
        del body["coupons"]  # sales had no coupons field before issue 4; those without coupons still have none
    if isinstance(body.get("join"), dict) and body["join"].get("birthday"):
        body["join"]["birthday"] = body["join"]["birthday"].isoformat()
    return body


def test_canonical_bodies_keep_the_fingerprints_of_requests_stored_before():
    at = datetime(2026, 3, 31, 23, 59, 59, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    commands = [
        SaleIn("mbr_1", "P1", at, "CNY", (LineIn(1, "S", "Shirt", 2, 12_800, "B", "tops", 100),),
               (TenderIn("cash", 25_500), TenderIn("stored_value", 0, "r")),
               JoinIn("13800138000", "Li Na", date(1990, 2, 28), "f", "zh-hans", None)),
        SaleIn("mbr_1", "P2", at, "CNY", (), (), None),
        ReturnIn("P1", "R1", at, (ReturnLineIn(1, 1),)),
        TopUpIn("mbr_1", "T1", at, "KRW", 50_000),
        RedemptionIn("mbr_1", "X1", at, 100),
    ]  # fmt: skip
    for command in commands:
        assert fingerprint(operation="op", body=command.canonical()) == fingerprint(
            operation="op", body=_asdict_canonical(command)
        )

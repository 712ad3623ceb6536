"""Paying with points at the till: worked examples in CNY and KRW, uneven rates, refusals, and properties."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tessera.earning.burn import BurnPlan, BurnPolicy, BurnRefusal, BurnRefusalCode, burn_limit, burn_plan
from tessera.earning.errors import burn_refusal_error
from tessera.programs.rules import PointValue

CNY = BurnPolicy(
    enabled=True, value=PointValue(points=100, minor=100), min_points=100, max_share_pct=50
)  # 100 = 1 yuan
KRW = BurnPolicy(enabled=True, value=PointValue(points=1, minor=10))  # 1 point = 10 won
SEVEN_FOR_TEN_WON = BurnPolicy(enabled=True, value=PointValue(points=7, minor=10))
THREE_FOR_TWO_FEN = BurnPolicy(enabled=True, value=PointValue(points=3, minor=2))


def plan(policy, bill, requested, balance=10**9):
    return burn_plan(policy=policy, bill_minor=bill, requested_minor=requested, balance_points=balance)


class TestWorkedExamples:
    def test_cny_hundred_points_a_yuan(self):
        # 30.00 yuan of a 100.00 yuan bill: 3,000 points.
        assert plan(CNY, 10000, 3000) == BurnPlan(points=3000, minor=3000)

    def test_krw_one_point_ten_won_pays_whole_points_only(self):
        # 12,345 won asked: 1,234 points pay 12,340 won; the last 5 won is paid otherwise, no point is split.
        assert plan(KRW, 50000, 12345) == BurnPlan(points=1234, minor=12340)

    def test_seven_points_for_ten_won(self):
        # 1,005 won asked: 703 whole points are worth 1,004.28 won, so they pay 1,004 won. 702 points would be
        # worth only 1,002.85 won: 703 is the fewest that cover 1,004 won.
        assert plan(SEVEN_FOR_TEN_WON, 5000, 1005) == BurnPlan(points=703, minor=1004)

    def test_three_points_for_two_fen_takes_the_fewest_points(self):
        # 5 fen asked: 7 whole points are worth 4.67 fen, so 4 fen are paid, and 6 points cover 4 fen exactly.
        assert plan(THREE_FOR_TWO_FEN, 100, 5) == BurnPlan(points=6, minor=4)

    def test_the_till_can_offer_the_most_points_may_pay(self):
        assert burn_limit(policy=KRW, bill_minor=50000, balance_points=1234) == BurnPlan(points=1234, minor=12340)
        # 50% of a 100.00 yuan bill is 50.00 yuan, less than the 80.00 yuan the balance is worth.
        assert burn_limit(policy=CNY, bill_minor=10000, balance_points=8000) == BurnPlan(points=5000, minor=5000)
        assert burn_limit(policy=CNY, bill_minor=10000, balance_points=99) is None  # below the 100-point minimum


class TestRefusals:
    @pytest.mark.parametrize(
        ("policy", "bill", "requested", "balance", "code", "details"),
        [
            (BurnPolicy(enabled=False, value=PointValue(100, 100)), 10000, 100, 500, BurnRefusalCode.DISABLED, {}),
            (CNY, 10000, 5001, 10**6, BurnRefusalCode.ABOVE_MAX_SHARE, {"max_minor": 5000, "max_share_pct": 50}),
            (CNY, 10000, 99, 10**6, BurnRefusalCode.BELOW_MINIMUM, {"min_points": 100, "points": 99}),
            (KRW, 10000, 9, 10**6, BurnRefusalCode.BELOW_MINIMUM, {"min_points": 1, "points": 0}),
            (CNY, 10000, 3000, 2999, BurnRefusalCode.INSUFFICIENT_POINTS, {"available_points": 2999, "points": 3000}),
        ],
    )
    def test_refusals_are_coded_never_clamped(self, policy, bill, requested, balance, code, details):
        assert plan(policy, bill, requested, balance) == BurnRefusal(code, details)

    def test_refusals_become_translated_domain_errors(self):
        refusal = plan(CNY, 10000, 3000, 2999)
        error = burn_refusal_error(refusal, currency="CNY")
        assert (error.code, error.status) == ("points_payment_insufficient_points", 409)
        assert error.text() == "This payment needs 3,000 points; the member has 2,999 points."
        with translation.override("zh-hans"):  # the till's language is active when the error is made
            chinese = burn_refusal_error(refusal, currency="CNY").text()
        assert chinese == "本次支付需要 3,000 积分,会员只有 2,999 积分。"
        share = burn_refusal_error(plan(CNY, 10000, 5001), currency="CNY")
        assert share.text() == "Points may pay at most 50% of this bill, CN¥50.00."

    def test_a_request_of_nothing_is_a_programming_error(self):
        with pytest.raises(ValueError, match="positive"):
            plan(KRW, 100, 0)


@given(
    points=st.integers(1, 1000),
    minor=st.integers(1, 1000),
    bill=st.integers(1, 10**7),
    data=st.data(),
    min_points=st.integers(0, 500),
    pct=st.integers(0, 100),
    balance=st.integers(0, 10**8),
)
def test_never_gives_value_away(points, minor, bill, data, min_points, pct, balance):
    policy = BurnPolicy(enabled=True, value=PointValue(points, minor), min_points=min_points, max_share_pct=pct)
    requested = data.draw(st.integers(1, bill))
    result = plan(policy, bill, requested, balance)
    if isinstance(result, BurnRefusal):
        return
    assert result.points * minor >= result.minor * points  # the points taken cover the money paid
    assert (result.points - 1) * minor < result.minor * points  # and are the fewest that do
    shortfall_minor = requested - result.minor  # paid by another tender
    assert shortfall_minor >= 0
    assert shortfall_minor * points < minor + points  # less than one point's value plus one minor unit
    assert max(min_points, 1) <= result.points <= balance
    assert result.minor * 100 <= bill * pct

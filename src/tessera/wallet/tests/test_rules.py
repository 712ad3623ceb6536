"""The top-up limits, without a database."""

from __future__ import annotations

import pytest

from tessera.wallet.errors import TopUpRefundBonusSpent
from tessera.wallet.rules import PROFILES, Limits, top_up_refusal

CN = PROFILES["cn"]


@pytest.mark.parametrize(
    ("named", "balance", "amount", "bonus", "refused"),
    [
        (True, 0, 500_000, 0, None),  # exactly 5,000.00 on a named card
        (True, 0, 500_001, 0, "top_up_above_balance_cap"),
        (True, 400_000, 90_000, 10_000, None),  # 4,000 + 900 + 100 bonus = 5,000.00
        (True, 400_000, 90_000, 10_001, "top_up_above_balance_cap"),  # the bonus counts toward the cap
        (False, 0, 100_000, 0, None),  # exactly 1,000.00 on an anonymous card
        (False, 50_000, 50_001, 0, "top_up_above_balance_cap"),
    ],
)
def test_china_caps_count_principal_and_bonus(named, balance, amount, bonus, refused):
    error = top_up_refusal(limits=CN, named=named, balance_minor=balance, amount_minor=amount, bonus_minor=bonus,
                           currency="CNY")  # fmt: skip
    assert (error.code if error else None) == refused


def test_the_single_maximum_is_checked_before_the_balance():
    limits = Limits(named_balance_max_minor=10**9, anonymous_balance_max_minor=10**9, top_up_max_minor=100_000,
                    custody_ratio_bp=0)  # fmt: skip
    error = top_up_refusal(limits=limits, named=True, balance_minor=0, amount_minor=100_001, bonus_minor=0,
                           currency="CNY")  # fmt: skip
    assert error is not None
    assert error.code == "top_up_above_single_maximum"
    assert error.details["max_text"] == "CN¥1,000.00"


def test_no_profile_means_no_refusal():
    assert top_up_refusal(limits=None, named=True, balance_minor=0, amount_minor=10**12, bonus_minor=0,
                          currency="CNY") is None  # fmt: skip


def test_korea_caps_are_in_whole_won():
    kr = PROFILES["kr"]
    assert (kr.named_balance_max_minor, kr.anonymous_balance_max_minor) == (2_000_000, 500_000)
    assert top_up_refusal(limits=kr, named=True, balance_minor=1_500_000, amount_minor=500_001, bonus_minor=0,
                          currency="KRW").code == "top_up_above_balance_cap"  # fmt: skip


def test_a_refund_is_refused_when_the_spent_bonus_share_is_more_than_it():
    from tessera.wallet.rules import ToppedUp, top_up_refund_figures

    # A 200% bonus: 100 in, 200 bonus, all bonus spent. Refunding 100 would keep 200 from 100: refused.
    with pytest.raises(TopUpRefundBonusSpent):
        top_up_refund_figures(top_up=ToppedUp(10_000, 20_000, 0), refunded_before=0, requested=None,
                              principal_balance=10_000, bonus_balance=0, currency="CNY")  # fmt: skip
    # With 150 of the bonus still on the card, 50 is kept and 50 paid back.
    figures = top_up_refund_figures(top_up=ToppedUp(10_000, 20_000, 0), refunded_before=0, requested=None,
                                    principal_balance=10_000, bonus_balance=15_000, currency="CNY")  # fmt: skip
    assert (figures.bonus_clawed, figures.bonus_spent, figures.paid_out, figures.whole) == (15_000, 5_000, 5_000, True)

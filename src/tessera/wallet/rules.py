"""Pure stored-value rules: the limits a top-up must respect."""

from __future__ import annotations

from dataclasses import dataclass

from tessera.kit.errors import DomainError
from tessera.kit.money import amount_text
from tessera.wallet.errors import TopUpAboveBalanceCap, TopUpAboveSingleMaximum


@dataclass(frozen=True, slots=True)
class Limits:
    named_balance_max_minor: int
    anonymous_balance_max_minor: int
    top_up_max_minor: int | None
    custody_ratio_bp: int


# Defaults per jurisdiction, in minor units of its currency (compliance.md). China: PBOC/MOFCOM per-card caps of
# RMB 5,000 named and RMB 1,000 anonymous; custody at least 20% (scale issuers; group 30%, brand 40%). Korea:
# KRW 2 million named and 500,000 anonymous [secondary], balances 100% protected.
PROFILES: dict[str, Limits] = {
    "cn": Limits(
        named_balance_max_minor=500_000,
        anonymous_balance_max_minor=100_000,
        top_up_max_minor=None,
        custody_ratio_bp=2000,
    ),
    "kr": Limits(
        named_balance_max_minor=2_000_000,
        anonymous_balance_max_minor=500_000,
        top_up_max_minor=None,
        custody_ratio_bp=10000,
    ),
}


def top_up_refusal(
    *, limits: Limits | None, named: bool, balance_minor: int, amount_minor: int, bonus_minor: int, currency: str
) -> DomainError | None:
    """Why a top-up may not go ahead, or None.

    The cap is on the card's whole balance, principal and bonus, as the member sees it: a bonus that would take
    the card over its cap refuses the top-up rather than being cut (reject, never clamp).
    """
    if limits is None:
        return None
    if limits.top_up_max_minor is not None and amount_minor > limits.top_up_max_minor:
        return TopUpAboveSingleMaximum(max_text=amount_text(limits.top_up_max_minor, currency))
    cap = limits.named_balance_max_minor if named else limits.anonymous_balance_max_minor
    after = balance_minor + amount_minor + bonus_minor
    if after > cap:
        return TopUpAboveBalanceCap(
            cap_minor=cap, cap_text=amount_text(cap, currency), room_minor=max(cap - balance_minor - bonus_minor, 0)
        )
    return None


def custody_minor(outstanding_minor: int, ratio_bp: int) -> int:
    """The custody deposit for an outstanding balance: the ratio of it, rounded up to the minor unit, never below 0.

    Rounded up because the law sets a minimum: 20% of 1,000.05 is 200.01, not 200.00.
    """
    return max(0, -(-outstanding_minor * ratio_bp // 10000))

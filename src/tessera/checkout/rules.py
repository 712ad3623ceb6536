"""Pure checkout arithmetic: line values, stored-value splits, and what a return gives back.

Returns are computed cumulatively. Each figure a return gives back (goods value, points, principal, bonus) is
"what all returns so far should have given back" minus "what the earlier ones gave": the cumulative share is
rounded down from the sale's exact figure, so partial returns can never together exceed the sale, and a full
return gives back the sale's figures exactly, whatever order and sizes the partial returns came in.

Points kept after returning value R of a sale worth T that earned P are ``floor(P x (T - R) / T)``, the same
round-down rule earning uses; the points taken back are the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tessera.programs.rules import PointValue, points_covered_by_minor, points_value_minor


class SpendOrder(StrEnum):
    PROPORTIONAL = "proportional"
    PRINCIPAL_FIRST = "principal_first"
    BONUS_FIRST = "bonus_first"


class ShortfallPolicy(StrEnum):
    DEDUCT_FROM_REFUND = "deduct_from_refund"
    DEBT = "debt"


def line_amount(*, quantity: int, unit_price_minor: int, discount_minor: int) -> int:
    return quantity * unit_price_minor - discount_minor


def share(part_total: int, whole: int, done: int) -> int:
    """``part_total`` x ``done`` / ``whole``, rounded down; the cumulative share used by every return figure."""
    if whole <= 0 or done <= 0:
        return 0
    return part_total * min(done, whole) // whole


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` over ``weights`` proportionally, largest remainder first, so the parts sum exactly."""
    weight_sum = sum(weights)
    if total == 0 or weight_sum <= 0:
        return [0] * len(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts


def stored_value_split(*, amount: int, principal: int, bonus: int, order: SpendOrder) -> tuple[int, int]:
    """How much of ``amount`` comes from principal and from bonus. The caller checks ``amount <= principal + bonus``."""
    assert 0 <= amount <= principal + bonus
    if order is SpendOrder.PRINCIPAL_FIRST:
        from_principal = min(amount, principal)
    elif order is SpendOrder.BONUS_FIRST:
        from_principal = amount - min(amount, bonus)
    else:
        # Rounding down on principal leaves at most one minor unit more on bonus, which always fits:
        # amount x bonus / (principal + bonus) < bonus + 1 whenever amount <= principal + bonus.
        from_principal = amount * principal // (principal + bonus) if amount else 0
    return from_principal, amount - from_principal


@dataclass(frozen=True, slots=True)
class SaleFigures:
    total: int
    points: int
    sv_principal: int
    sv_bonus: int


@dataclass(frozen=True, slots=True)
class ReturnFigures:
    """What one return gives back, before any points shortfall is settled."""

    value: int
    points: int
    sv_principal: int
    sv_bonus: int

    @property
    def external(self) -> int:
        """Refund due through the sale's other tenders (cash, card, wallet apps)."""
        return self.value - self.sv_principal - self.sv_bonus


def returned_line_value(*, amount: int, quantity: int, returned_before: int, returning: int) -> int:
    """Value of ``returning`` more units of a line, given ``returned_before`` units already returned."""
    return share(amount, quantity, returned_before + returning) - share(amount, quantity, returned_before)


def points_taken_back(*, points: int, quantity: int, returned_before: int, returning: int) -> int:
    """Points a line gives back for ``returning`` more units: kept = floor(points x units left / units sold)."""

    def kept(returned: int) -> int:
        return points * (quantity - returned) // quantity

    return kept(returned_before) - kept(returned_before + returning)


def return_figures(sale: SaleFigures, *, value_before: int, value: int) -> ReturnFigures:
    after = value_before + value
    assert 0 <= value_before <= after <= sale.total
    sv_before, sv_after = (_sv_cumulative(sale, r) for r in (value_before, after))
    principal_before, principal_after = (_principal_cumulative(sale, sv) for sv in (sv_before, sv_after))
    kept_before = sale.points - _points_clawed(sale, value_before)
    kept_after = sale.points - _points_clawed(sale, after)
    return ReturnFigures(
        value=value,
        points=kept_before - kept_after,
        sv_principal=principal_after - principal_before,
        sv_bonus=(sv_after - principal_after) - (sv_before - principal_before),
    )


# Stored value is refunded by two nested two-way splits: first the returned value between stored value and the
# other tenders, then the stored value between principal and bonus. Rounding each of three parts on its own
# could give back one minor unit more than the goods were worth; a two-way cumulative split never can, because
# the rounded-down part grows by at most the step and the other part takes the rest.
def _sv_cumulative(sale: SaleFigures, returned: int) -> int:
    return share(sale.sv_principal + sale.sv_bonus, sale.total, returned)


def _principal_cumulative(sale: SaleFigures, sv_refunded: int) -> int:
    return share(sale.sv_principal, sale.sv_principal + sale.sv_bonus, sv_refunded)


def _points_clawed(sale: SaleFigures, returned: int) -> int:
    if sale.total <= 0:
        return 0
    return sale.points - sale.points * (sale.total - returned) // sale.total


@dataclass(frozen=True, slots=True)
class ShortfallSettlement:
    """How points a member no longer holds are made good."""

    from_balance: int
    as_debt: int
    in_money: int  # points paid for by cutting the refund
    deduct_external: int
    deduct_principal: int
    deduct_bonus: int

    @property
    def deducted_minor(self) -> int:
        return self.deduct_external + self.deduct_principal + self.deduct_bonus


def shortfall_settle(
    *, points: int, balance: int, refund: ReturnFigures, policy: ShortfallPolicy, value: PointValue
) -> ShortfallSettlement:
    """Settle a points take-back of ``points`` against a balance of ``balance``; never forgive any of it.

    Under DEDUCT_FROM_REFUND the missing points are bought back at the programme's point value (rounded up),
    cut first from the refund through other tenders, then from principal, then from bonus. Whatever the refund
    cannot cover, and everything under DEBT, becomes a debt the member's next earnings repay first.
    """
    from_balance = min(points, max(balance, 0))
    missing = points - from_balance
    if missing == 0 or policy is ShortfallPolicy.DEBT:
        return ShortfallSettlement(from_balance, missing, 0, 0, 0, 0)
    refundable = refund.external + refund.sv_principal + refund.sv_bonus
    in_money = (
        missing if points_value_minor(missing, value) <= refundable else points_covered_by_minor(refundable, value)
    )
    to_cut = points_value_minor(in_money, value)
    cuts = []
    for available in (refund.external, refund.sv_principal, refund.sv_bonus):
        cut = min(available, to_cut)
        cuts.append(cut)
        to_cut -= cut
    return ShortfallSettlement(from_balance, missing - in_money, in_money, cuts[0], cuts[1], cuts[2])

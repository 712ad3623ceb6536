"""Planning a sale: what the member pays, how, and what they earn, from the member's state read under lock.

Order, each step on the result of the one before:
1. the tier discount per line (rounded down per line; excluded categories get none), then the coupons' discount
   per line (tessera.coupons.rules), give the amounts to pay;
2. the tenders must pay that total exactly;
3. stored value is split between principal and bonus by the programme's spending order;
4. a points payment is valued at the programme's point value, within its minimum and maximum share;
5. earning runs on each line's eligible amount: the line's amount less its share of whatever does not earn
   (stored value unless the programme earns on it, and points) — the earning engine explains every point,
   including a points multiplier coupon's;
6. new points repay any points debt first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tessera.checkout.commands import SaleIn
from tessera.checkout.errors import PointsPaymentInexact, StoredValueNotAccepted
from tessera.checkout.rules import SpendOrder, allocate, stored_value_split
from tessera.checkout.services.lines import tendered, tenders_sum_check
from tessera.coupons.rules import Combination
from tessera.earning.burn import BurnPlan, burn_plan
from tessera.earning.errors import burn_refusal_error
from tessera.earning.rules import BasketLine, Boost, Earning
from tessera.earning.selectors import burn_policy, earning_for_sale
from tessera.ledger.errors import insufficient
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.programs.rules import EarnRate


@dataclass(frozen=True, slots=True)
class CheckedSale:
    """A sale whose lines passed validation, with each line's amount before any member discount."""

    sale: SaleIn
    gross: list[int]


@dataclass(frozen=True, slots=True)
class Benefits:
    """What the member's tier gives at the till (none: no tier)."""

    tier_code: str = ""
    tier_name: str = ""
    discount_bp: int = 0
    excluded_categories: frozenset[str] = field(default_factory=frozenset)
    multiplier_permille: int | None = None
    earn_rate: EarnRate | None = None  # an alliance partner's own rate at its stores; None: the programme's


@dataclass(frozen=True, slots=True)
class Wallet:
    """The member's balances as the plan may use them (read under the lock when committing)."""

    principal: int
    bonus: int
    owed: int
    points_available: int


@dataclass(frozen=True, slots=True)
class SalePlan:
    amounts: list[int]
    discounts: list[int]
    sv_principal: int
    sv_bonus: int
    burn: BurnPlan | None
    earning: Earning
    debt_repaid: int
    benefits: Benefits
    coupons: Combination = field(default_factory=Combination)

    @property
    def coupon_discounts(self) -> list[int]:
        return self.coupons.line_discounts or [0] * len(self.amounts)

    @property
    def total(self) -> int:
        return sum(self.amounts)

    @property
    def points(self) -> int:
        return self.earning.points

    @property
    def points_credited(self) -> int:
        return self.points - self.debt_repaid

    def points_body(self) -> dict[str, Any]:
        return {"earned": self.points, "debt_repaid": self.debt_repaid, "credited": self.points_credited,
                "explanation": self.earning.as_dict()}  # fmt: skip

    def payment_body(self) -> dict[str, Any]:
        lines = [{"line_no": n, "discount_minor": d} for n, d in zip(self.line_nos, self.discounts, strict=True) if d]
        return {
            "member_discount": {"tier": self.benefits.tier_code, "total_minor": sum(self.discounts), "lines": lines},
            "stored_value": {"principal_minor": self.sv_principal, "bonus_minor": self.sv_bonus},
            "points_payment": {"points": self.burn.points if self.burn else 0,
                               "minor": self.burn.minor if self.burn else 0},
        }  # fmt: skip

    line_nos: list[int] = field(default_factory=list)


def member_discounts(checked: CheckedSale, benefits: Benefits) -> list[int]:
    """The tier discount per line, rounded down so it never exceeds the rate; excluded categories get none."""
    if not benefits.discount_bp:
        return [0] * len(checked.gross)
    return [
        0 if line.category in benefits.excluded_categories else amount * benefits.discount_bp // 10_000
        for line, amount in zip(checked.sale.lines, checked.gross, strict=True)
    ]


def plan_sale(
    checked: CheckedSale,
    *,
    program: Program,
    member: Member,
    wallet: Wallet,
    benefits: Benefits,
    quoting: bool = False,
    coupons: Combination | None = None,
    boost: Boost | None = None,
) -> SalePlan:
    """The sale's figures. Committing, the tenders must pay the total exactly; quoting, they need not (the till
    cannot know the member's discount before it asks), and the figures that depend on them use them as sent."""
    sale = checked.sale
    discounts = member_discounts(checked, benefits)
    coupons = coupons or Combination()
    off = coupons.line_discounts or [0] * len(discounts)
    amounts = [gross - cut - c for gross, cut, c in zip(checked.gross, discounts, off, strict=True)]
    if not quoting:
        tenders_sum_check(sale.tenders, sum(amounts), sale.currency)
    principal, bonus = _stored_value(sale, program=program, wallet=wallet)
    burn = _points_payment(sale, program=program, wallet=wallet, bill=sum(amounts))
    earning = _earning(checked, amounts, program=program, member=member, benefits=benefits, boost=boost)
    return SalePlan(
        amounts=amounts, discounts=discounts, sv_principal=principal, sv_bonus=bonus, burn=burn, earning=earning,
        debt_repaid=min(earning.points, wallet.owed), benefits=benefits, line_nos=[ln.line_no for ln in sale.lines],
        coupons=coupons,
    )  # fmt: skip


def _stored_value(sale: SaleIn, *, program: Program, wallet: Wallet) -> tuple[int, int]:
    amount = tendered(sale.tenders, "stored_value")
    if amount and program.currency != sale.currency:
        raise StoredValueNotAccepted(currency=program.currency, given=sale.currency)
    if amount > wallet.principal + wallet.bonus:
        raise insufficient(available=wallet.principal + wallet.bonus, requested=amount, unit=program.currency)
    order = SpendOrder(program.stored_value_spend_order)
    return stored_value_split(amount=amount, principal=wallet.principal, bonus=wallet.bonus, order=order)


def _points_payment(sale: SaleIn, *, program: Program, wallet: Wallet, bill: int) -> BurnPlan | None:
    requested = tendered(sale.tenders, "points")
    if not requested:
        return None
    plan = burn_plan(policy=burn_policy(program), bill_minor=bill, requested_minor=requested,
                     balance_points=wallet.points_available)  # fmt: skip
    if not isinstance(plan, BurnPlan):
        raise burn_refusal_error(plan, currency=program.currency)
    if plan.minor != requested:
        # Whole points cannot pay that exact sum; the till pays what they can and takes the rest another way.
        raise PointsPaymentInexact(coverable=plan.minor, points=plan.points)
    return plan


def _earning(
    checked: CheckedSale, amounts: list[int], *, program: Program, member: Member, benefits: Benefits,
    boost: Boost | None,
) -> Earning:  # fmt: skip
    sale = checked.sale
    not_earning = tendered(sale.tenders, "points")
    if not program.earn_on_stored_value:
        not_earning += tendered(sale.tenders, "stored_value")
    shares = allocate(min(not_earning, sum(amounts)), amounts)
    lines = [
        BasketLine(line_no=line.line_no, sku=line.sku, brand=line.brand, category=line.category,
                   amount_minor=amount, eligible_minor=amount - share)
        for line, amount, share in zip(sale.lines, amounts, shares, strict=True)
    ]  # fmt: skip
    return earning_for_sale(
        program=program, member_id=member.id, birthday=member.birthday, lines=lines, event_at=sale.event_at,
        tier_factor_permille=benefits.multiplier_permille, tier_code=benefits.tier_code, coupon=boost,
        rate=benefits.earn_rate,
    )  # fmt: skip

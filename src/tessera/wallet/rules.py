"""Pure stored-value rules: the limits a top-up must respect, bonus rules, and what a top-up refund gives back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from tessera.kit.errors import DomainError
from tessera.kit.money import amount_text
from tessera.wallet.errors import (
    TopUpAboveBalanceCap,
    TopUpAboveSingleMaximum,
    TopUpRefundBonusSpent,
    TopUpRefundExceedsTopUp,
    TopUpRefundPrincipalSpent,
)


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


@dataclass(frozen=True, slots=True)
class BonusRule:
    """A top-up bonus rule as plain values (``wallet.models.TopUpBonusRule``)."""

    id: int
    name: str
    min_amount_minor: int
    max_amount_minor: int | None
    bonus_minor: int = 0
    bonus_points: int = 0
    coupon_template_id: int | None = None
    coupon_count: int = 1
    gift: str = ""
    active_from: datetime | None = None
    active_to: datetime | None = None
    per_member_limit: int | None = None

    def matches(self, amount_minor: int, at: datetime, received: int) -> bool:
        return (
            self.min_amount_minor <= amount_minor
            and (self.max_amount_minor is None or amount_minor <= self.max_amount_minor)
            and (self.active_from is None or self.active_from <= at)
            and (self.active_to is None or at < self.active_to)
            and (self.per_member_limit is None or received < self.per_member_limit)
        )


def bonus_rule_pick(
    rules: Sequence[BonusRule], *, amount_minor: int, at: datetime, received: Mapping[int, int]
) -> BonusRule | None:
    """The rule a top-up of ``amount_minor`` at till time ``at`` earns: among those that match (amount, dates, and
    the member's ``received`` count per rule under its limit), the highest minimum; ties go to the older rule."""
    matching = [r for r in rules if r.matches(amount_minor, at, received.get(r.id, 0))]
    return max(matching, key=lambda r: (r.min_amount_minor, -r.id), default=None)


@dataclass(frozen=True, slots=True)
class ToppedUp:
    """What one top-up put on the card: principal paid in, and the bonus stored value and points it earned."""

    principal: int
    bonus: int
    points: int


@dataclass(frozen=True, slots=True)
class RefundFigures:
    """What one top-up refund takes off the card and pays back (docs/ledger.md, "Top-up refunds")."""

    principal: int  # leaves the card's principal
    bonus_clawed: int  # the refund's share of the bonus, taken back from the card's unspent bonus
    bonus_spent: int  # the rest of that share, already spent: kept from the money paid back
    points: int  # the refund's share of the bonus points, to take back
    whole: bool  # with this refund, all of the top-up has been refunded

    @property
    def paid_out(self) -> int:
        return self.principal - self.bonus_spent


def _share(total: int, principal: int, refunded: int) -> int:
    # Cumulative and rounded down, so partial refunds together take back exactly the whole bonus, never more.
    return total * min(refunded, principal) // principal if principal > 0 else 0


def top_up_refund_figures(
    *, top_up: ToppedUp, refunded_before: int, requested: int | None, principal_balance: int, bonus_balance: int,
    currency: str,
) -> RefundFigures:  # fmt: skip
    """Refund ``requested`` of a top-up's principal (None: all that is left), after ``refunded_before``.

    Only principal is paid back. The refund takes its share of the top-up's bonus with it: from the card's unspent
    bonus first; whatever of that share the member has already spent is kept from the money paid back, so a
    member never walks away with bonus they paid nothing for. Bonus points follow the same share.

    :raises TopUpRefundExceedsTopUp: more than is left of the top-up to refund.
    :raises TopUpRefundPrincipalSpent: the card's principal is below the amount (it has been spent).
    :raises TopUpRefundBonusSpent: the spent bonus to keep is more than the amount refunded.
    """
    remaining = top_up.principal - refunded_before
    amount = remaining if requested is None else requested
    if amount > remaining:
        raise TopUpRefundExceedsTopUp(remaining_minor=remaining, remaining_text=amount_text(remaining, currency))
    if amount > principal_balance:
        balance = max(principal_balance, 0)
        raise TopUpRefundPrincipalSpent(balance_minor=balance, balance_text=amount_text(balance, currency))
    after = refunded_before + amount
    bonus_due = _share(top_up.bonus, top_up.principal, after) - _share(top_up.bonus, top_up.principal, refunded_before)
    clawed = min(bonus_due, max(bonus_balance, 0))
    spent = bonus_due - clawed
    if spent > amount:
        raise TopUpRefundBonusSpent(spent_minor=spent, spent_text=amount_text(spent, currency))
    points = _share(top_up.points, top_up.principal, after) - _share(top_up.points, top_up.principal, refunded_before)
    return RefundFigures(amount, clawed, spent, points, whole=after == top_up.principal)


@dataclass(frozen=True, slots=True)
class OpenLot:
    """A lot of stored value that still holds some: what spending takes from, oldest first."""

    lot_id: int
    kind: str  # "principal" or "bonus"
    store_id: int
    remaining: int
    source_id: str = ""
    merchant_id: int = 0


@dataclass(frozen=True, slots=True)
class Take:
    lot_id: int
    kind: str
    store_id: int
    amount: int


def lots_take(lots: Sequence[OpenLot], *, kind: str, amount: int) -> list[Take]:
    """Take ``amount`` of ``kind`` from ``lots`` (given oldest first); the caller has checked the balance.

    :raises AssertionError: the lots hold less than the balance said, a broken ledger (verify would fail too).
    """
    taken: list[Take] = []
    left = amount
    for lot in lots:
        if left == 0:
            break
        if lot.kind != kind or lot.remaining <= 0:
            continue
        take = min(left, lot.remaining)
        taken.append(Take(lot.lot_id, kind, lot.store_id, take))
        left -= take
    assert left == 0, f"stored-value lots hold {amount - left} of {kind}, {amount} asked"
    return taken


def by_origin(takes: Sequence[Take]) -> list[tuple[int, int]]:
    """Amounts per origin store, in the order the stores were first taken from."""
    totals: dict[int, int] = {}
    for take in takes:
        totals[take.store_id] = totals.get(take.store_id, 0) + take.amount
    return list(totals.items())


def lots_preferring(lots: Sequence[OpenLot], source_id: str) -> list[OpenLot]:
    """``lots`` with those of ``source_id`` (a top-up being refunded) first, each group still oldest first."""
    return sorted(lots, key=lambda lot: lot.source_id != source_id)


Origins = list[tuple[int, int]]


def origins_split(amounts: Sequence[tuple[int, int]], first: int) -> tuple[Origins, Origins]:
    """Split amounts per origin into the first ``first`` of them and the rest, keeping the order."""
    head: list[tuple[int, int]] = []
    tail: list[tuple[int, int]] = []
    left = first
    for store_id, amount in amounts:
        take = min(left, amount)
        left -= take
        if take:
            head.append((store_id, take))
        if amount - take:
            tail.append((store_id, amount - take))
    return head, tail


def lots_usable(lots: Sequence[OpenLot], *, merchant_id: int, shared: bool) -> list[OpenLot]:
    """The lots a store of ``merchant_id`` may take: all of them, or where stored value is not shared between an
    alliance's merchants, only that merchant's own (compliance.md: sharing needs a payment licence)."""
    return list(lots) if shared else [lot for lot in lots if lot.merchant_id == merchant_id]


def held_of(lots: Sequence[OpenLot], kind: str) -> int:
    return sum(lot.remaining for lot in lots if lot.kind == kind)

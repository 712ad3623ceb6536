"""Paying with points: pure maths of what a points payment takes, or why it is refused (no database).

Value is never given away in either direction: see ``burn_plan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tessera.programs.rules import PointValue


class BurnRefusalCode(StrEnum):
    DISABLED = "points_payment_disabled"
    ABOVE_MAX_SHARE = "points_payment_above_max_share"
    BELOW_MINIMUM = "points_payment_below_minimum"
    INSUFFICIENT_POINTS = "points_payment_insufficient_points"


@dataclass(frozen=True, slots=True)
class BurnPolicy:
    """A programme's points-payment settings: ``value.points`` points pay ``value.minor`` minor units."""

    enabled: bool
    value: PointValue
    min_points: int = 0
    max_share_pct: int = 100


@dataclass(frozen=True, slots=True)
class BurnPlan:
    points: int  # taken from the member
    minor: int  # the money they pay: whole minor units, never more than the till asked for


@dataclass(frozen=True, slots=True)
class BurnRefusal:
    code: BurnRefusalCode
    details: dict[str, int]


def burn_plan(
    *, policy: BurnPolicy, bill_minor: int, requested_minor: int, balance_points: int
) -> BurnPlan | BurnRefusal:
    """What paying ``requested_minor`` of a ``bill_minor`` bill with points takes, or why it is refused.

    Rounding never gives value away: the money paid is the value of the most whole points worth no more than the
    request, rounded down to a whole minor unit, and the points taken are the fewest whose value covers that
    money. The till collects the rest by another tender; it is less than one point's value plus one minor unit.
    Refusals, checked in this order: payment disabled; above the largest share of the bill; fewer points than
    the minimum (or than one point); more points than the member has. Nothing is ever clamped.
    """
    if requested_minor <= 0 or bill_minor < 0 or balance_points < 0:
        raise ValueError("the request must be positive, the bill and the balance not negative")
    if not policy.enabled:
        return BurnRefusal(BurnRefusalCode.DISABLED, {})
    share_max_minor = bill_minor * policy.max_share_pct // 100
    if requested_minor > share_max_minor:
        details = {"max_minor": share_max_minor, "max_share_pct": policy.max_share_pct}
        return BurnRefusal(BurnRefusalCode.ABOVE_MAX_SHARE, details)
    value = policy.value
    minor = requested_minor * value.points // value.minor * value.minor // value.points
    points = -(-minor * value.points // value.minor)
    if points < max(policy.min_points, 1):
        return BurnRefusal(BurnRefusalCode.BELOW_MINIMUM, {"min_points": max(policy.min_points, 1), "points": points})
    if points > balance_points:
        return BurnRefusal(BurnRefusalCode.INSUFFICIENT_POINTS, {"available_points": balance_points, "points": points})
    return BurnPlan(points=points, minor=minor)


def burn_limit(*, policy: BurnPolicy, bill_minor: int, balance_points: int) -> BurnPlan | None:
    """The most of the bill the member may pay with points now (None: nothing), for the till to offer."""
    value = policy.value
    most_minor = min(bill_minor * policy.max_share_pct // 100, balance_points * value.minor // value.points)
    if not policy.enabled or most_minor <= 0:
        return None
    plan = burn_plan(policy=policy, bill_minor=bill_minor, requested_minor=most_minor, balance_points=balance_points)
    return plan if isinstance(plan, BurnPlan) else None

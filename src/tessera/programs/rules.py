"""Pure programme maths: points earned on a spend, the money value of points, and rounding rules.

Rounding is explicit and always in the programme's favour where value would otherwise be given away:
points earned round down; a points shortfall valued in money rounds up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EarnRate:
    """``points`` for every ``per_minor`` minor units of eligible spend (1 point per 100 fen = 1 yuan)."""

    points: int
    per_minor: int

    def __post_init__(self) -> None:
        if self.points < 0 or self.per_minor <= 0:
            raise ValueError("earn rate needs points >= 0 and per_minor > 0")


@dataclass(frozen=True, slots=True)
class PointValue:
    """``points`` are worth ``minor`` minor units (100 points = 100 fen = 1 yuan)."""

    points: int
    minor: int

    def __post_init__(self) -> None:
        if self.points <= 0 or self.minor <= 0:
            raise ValueError("point value needs points > 0 and minor > 0")


def points_for_spend(eligible_minor: int, rate: EarnRate) -> int:
    """Flat earning: whole points for the eligible spend, rounding down (199.99 yuan at 1/yuan is 199)."""
    if eligible_minor <= 0:
        return 0
    return eligible_minor * rate.points // rate.per_minor


def points_value_minor(points: int, value: PointValue) -> int:
    """Money worth of ``points``, rounded up so that a member who owes points never pays less than they owe."""
    if points <= 0:
        return 0
    return -(-points * value.minor // value.points)


def points_covered_by_minor(amount_minor: int, value: PointValue) -> int:
    """Whole points that ``amount_minor`` fully pays for (rounded down)."""
    if amount_minor <= 0:
        return 0
    return amount_minor * value.points // value.minor


def top_up_bonus(amount_minor: int, bands: list[tuple[int, int]]) -> int:
    """Bonus for a top-up: that of the band with the highest threshold not above the amount, else 0."""
    best: tuple[int, int] | None = None
    for threshold, bonus in bands:
        if threshold <= amount_minor and (best is None or threshold > best[0]):
            best = (threshold, bonus)
    return best[1] if best else 0

"""What a tier gives at the till: a discount with category exclusions and a points multiplier, as integers."""

from __future__ import annotations

from dataclasses import dataclass

BP_WHOLE = 10_000
PERMILLE_WHOLE = 1_000


@dataclass(frozen=True, slots=True)
class TierBenefits:
    """The member's current tier, as the till needs it (``tier_benefits_get``)."""

    tier_code: str
    tier_name: str
    rank: int
    discount_bp: int
    excluded_categories: tuple[str, ...]
    multiplier_permille: int

    def discount_minor(self, amount_minor: int, *, category: str) -> int:
        """The tier discount on one line worth ``amount_minor``; none on an excluded category.

        Rounded down to the minor unit, so rounding never gives away value: 10% of 12.95 yuan is 1.29 yuan.
        """
        if amount_minor <= 0 or category in self.excluded_categories:
            return 0
        return amount_minor * self.discount_bp // BP_WHOLE

    def points_multiplied(self, points: int) -> int:
        """Points after the tier multiplier, rounded down (1,234 points at 1500 per mille are 1,851)."""
        if points <= 0:
            return points
        return points * self.multiplier_permille // PERMILLE_WHOLE

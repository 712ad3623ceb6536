"""The programme templates Tessera ships, as plain specifications (no database).

A template is what the owners' documents describe, in the programme's currency: amounts given in yuan there are
currency units here (``unit_minor`` minor units each), so a programme in won gets the same figures in won. Each
template says which settings it sets, and may add a tier ladder, earning rules and gift ladders. Templates that
touch different things can be combined (the clothing chain runs diamonds, the monthly gift ladder and the card
lifecycle together); two that both bring a tier ladder cannot, as a programme has one active ladder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tessera.blueprints.seeds import diamonds_ladder, monthly_gift_ladder, salon_ladder


@dataclass(frozen=True, slots=True)
class Spec:
    """What applying a template writes. ``settings`` are programme fields; rules are earning-rule fields."""

    settings: dict[str, Any] = field(default_factory=dict)
    tier_ladder: dict[str, Any] | None = None
    earning_rules: list[dict[str, Any]] = field(default_factory=list)
    gift_ladders: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Blueprint:
    code: str
    title: Promise
    summary: Promise
    source: str  # where in the owners' documents the programme comes from
    build: Callable[[int], Spec]  # currency unit in minor units -> what to write


def _one_yuan_one_point(unit: int) -> dict[str, Any]:
    return {"earn_points": 1, "earn_per_minor": unit}


def _salon(unit: int) -> Spec:
    return Spec(tier_ladder=salon_ladder(unit_minor=unit))


def _diamonds(unit: int) -> Spec:
    settings = {**_one_yuan_one_point(unit), "join_min_purchase_minor": 128 * unit}
    return Spec(settings=settings, tier_ladder=diamonds_ladder())


def _monthly_gifts(unit: int) -> Spec:
    settings = {**_one_yuan_one_point(unit), "join_min_purchase_minor": 128 * unit}
    return Spec(settings=settings, gift_ladders=[monthly_gift_ladder(unit_minor=unit)])


def _card_lifecycle(unit: int) -> Spec:
    return Spec(settings={"join_min_purchase_minor": 198 * unit, "card_validity_months": 24,
                          "card_renewal_fee_minor": 10 * unit})  # fmt: skip


def _member_days(unit: int) -> Spec:
    rules = [
        {"code": "double-wednesday", "kind": "weekday", "weekday": 3, "factor_permille": 2_000},
        {"code": "member-day", "kind": "member_day", "day_of_month": 8, "factor_permille": 2_000},
    ]
    return Spec(earning_rules=rules)


BLUEPRINTS: dict[str, Blueprint] = {
    b.code: b
    for b in (
        Blueprint("salon_stored_value", _("Beauty salon stored-value ladder"),
                  _("Tiers by stored value put in: 2,000 for 10 per cent off, 5,000 for 20, 8,000 for 30."),
                  "seed 000", _salon),
        Blueprint("clothing_diamonds", _("Clothing chain annual diamonds"),
                  _("1 yuan spent is 1 point; a purchase of 128 gives the card and 10 per cent off; annual points "
                    "from the card date of 10,000 / 20,000 / 30,000 / 50,000 make red, yellow, blue and purple "
                    "diamonds (10, 15, 20 and 20 per cent off, and their services); the count resets at the card "
                    "anniversary."),
                  "seed 002, designs 2 and 3", _diamonds),
        Blueprint("clothing_monthly_gifts", _("Clothing chain monthly gift ladder"),
                  _("Points earned within a calendar month of 1,000 / 2,000 / 3,000 unlock clothing coupons of "
                    "50 / 100 / 150, claimable until the end of the next month; points balances are not cleared."),
                  "seed 002, design 1", _monthly_gifts),
        Blueprint("card_lifecycle", _("Card lifecycle"),
                  _("Join with a single purchase of 198; the card is valid for 2 years; renewing an expired card "
                    "costs 10 and keeps the points earned before."),
                  "seed 002, membership rules", _card_lifecycle),
        Blueprint("member_days", _("Double-points days"),
                  _("Double points every Wednesday and on the monthly member day, the 8th; they do not compound."),
                  "seed 002, red diamond services", _member_days),
    )
}  # fmt: skip

"""Bodies of the headquarters programme set-up endpoints: templates, tier ladders, earning rules, gift ladders.

Fields are typed loosely on purpose (strings for choices): the owning service checks every value and names
each problem in the caller's language, which a schema error could not.
"""

from __future__ import annotations

from datetime import date

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field


class Forbid(BaseModel):
    # Plain pydantic for request bodies (see checkout.api.schemas.Strict).
    model_config = ConfigDict(extra="forbid")


class BlueprintOut(Schema):
    code: str
    title: str
    summary: str
    source: str = Field(..., description="Where in the owners' documents the programme comes from.")
    settings: list[str] = Field(..., description="Programme settings the template sets.")
    tier_ladder: bool = Field(..., description="Whether it brings a tier ladder (a programme has one active).")
    earning_rules: list[str] = Field(..., description="Codes of the earning rules it adds.")
    gift_ladders: int


class BlueprintAppliedOut(Schema):
    code: str
    settings: list[str]
    tier_ladder_id: int | None
    earning_rules: list[str]
    gift_ladder_ids: list[int]


class TierTextIn(Forbid):
    name: str
    description: str = ""
    services: list[str] = []


class TierIn(Forbid):
    code: str
    threshold: int = Field(..., description="In the measure's units: minor units for money, points, or a count.")
    second_threshold: int | None = None
    discount_bp: int = Field(0, description="Discount at checkout in basis points (1000 = 10%).")
    excluded_categories: list[str] = []
    multiplier_permille: int = Field(1000, description="Points multiplier per mille (1500 = x1.5).")
    service_codes: list[str] = []
    translations: dict[str, TierTextIn] = Field(..., description="By language: en, zh-hans, zh-hant, ko.")


class TierLadderIn(Forbid):
    name: str
    measure: str = Field(..., description="points_in_window, spend_in_window, stored_value_in, lifetime_spend, "
                                          "purchase_count.")  # fmt: skip
    second_measure: str | None = None
    combine: str | None = Field(None, description="and / or, with a second measure.")
    window: str = Field(..., description="calendar_year, calendar_month, anniversary_year, rolling_months, lifetime.")
    window_months: int | None = None
    downgrade: str = Field("reevaluate", description="reevaluate, or one_down.")
    grace_days: int = 0
    active: bool = True
    tiers: list[TierIn] = Field(..., description="From the base tier up.")


class TierLadderOut(Schema):
    tier_ladder_id: int
    name: str
    tiers: list[str]


class EarningRuleIn(Forbid):
    code: str
    kind: str = Field(..., description="weekday, member_day, birthday, product_multiplier, product_exclusion, "
                                       "sale_cap, day_cap.")  # fmt: skip
    factor_permille: int | None = Field(None, description="Multiplier per mille (2000 = double points).")
    weekday: int | None = Field(None, description="ISO weekday, 1 = Monday.")
    day_of_month: int | None = None
    birthday_scope: str | None = Field(None, description="day, week or month.")
    match_on: str | None = Field(None, description="sku, brand or category.")
    match_value: str = ""
    cap_points: int | None = None
    active_from: date | None = None
    active_to: date | None = Field(None, description="Exclusive: sales on this local day no longer use the rule.")


class EarningRuleOut(Schema):
    code: str
    kind: str


class GiftStepIn(Forbid):
    threshold_points: int
    amount_minor: int
    categories: list[str]
    names: dict[str, str] = Field({}, description="Name shown to members, by language.")
    usable_at_once: bool = True
    valid_days: int | None = None


class GiftLadderIn(Forbid):
    name: str
    steps: list[GiftStepIn]
    active_from: date
    active_to: date | None = None
    claim_policy: str = Field("end_of_next_month", description="end_of_next_month or days_after_unlock.")
    claim_days: int | None = None


class GiftLadderOut(Schema):
    gift_ladder_id: int
    name: str
    steps: list[int] = Field(..., description="Thresholds in points.")

"""Programme settings as headquarters reads and changes them."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field


class ProgramSettingsOut(Schema):
    program_id: str
    name: str
    currency: str
    timezone: str
    phone_region: str
    earn_points: int
    earn_per_minor: int
    earn_on_stored_value: bool
    point_value_points: int
    point_value_minor: int
    return_shortfall_policy: str
    stored_value_spend_order: str
    points_expiry_policy: str
    points_expiry_days: int | None
    points_expiry_months: int | None
    points_expiry_reminder_days: int
    burn_enabled: bool
    burn_min_points: int
    burn_max_share_pct: int
    join_min_purchase_minor: int | None
    card_validity_months: int | None
    card_renewal_fee_minor: int


class ProgramSettingsPatch(BaseModel):
    """Only the fields sent change; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    timezone: str | None = Field(None, max_length=64)
    phone_region: str | None = Field(None, min_length=2, max_length=2)
    earn_points: int | None = Field(None, ge=0, le=10**6)
    earn_per_minor: int | None = Field(None, ge=0, le=10**9)
    earn_on_stored_value: bool | None = None
    point_value_points: int | None = Field(None, ge=0, le=10**9)
    point_value_minor: int | None = Field(None, ge=0, le=10**9)
    return_shortfall_policy: Literal["deduct_from_refund", "debt"] | None = None
    stored_value_spend_order: Literal["proportional", "principal_first", "bonus_first"] | None = None
    points_expiry_policy: Literal["never", "days_after_earning", "end_of_month_after", "end_of_year_after"] | None = (
        None
    )
    points_expiry_days: int | None = Field(None, ge=0, le=36_500)
    points_expiry_months: int | None = Field(None, ge=0, le=1_200)
    points_expiry_reminder_days: int | None = Field(None, ge=0, le=3_650)
    burn_enabled: bool | None = None
    burn_min_points: int | None = Field(None, ge=0, le=10**9)
    burn_max_share_pct: int | None = Field(None, ge=0, le=1000)
    join_min_purchase_minor: int | None = Field(None, ge=0, le=10**13)
    card_validity_months: int | None = Field(None, ge=0, le=1_200)
    card_renewal_fee_minor: int | None = Field(None, ge=0, le=10**13)

"""Response schemas of a member's progress: tier, gift ladders, open gifts and points about to expire."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class TierStepOut(Schema):
    code: str = Field(..., description="The tier's stable code.")
    name: str = Field(..., description="The tier's name in the caller's language, else English, else the code.")
    rank: int = Field(..., description="0 for the base tier, rising by one per tier.")
    threshold: int = Field(..., description="What the tier needs, in the ladder's measure.")
    second_threshold: int | None = Field(None, description="What it needs in the second measure, if any.")


class TierProgressOut(Schema):
    current: TierStepOut = Field(..., description="The tier held today.")
    next: TierStepOut | None = Field(None, description="The tier above; null at the top.")
    measure: str = Field(..., description="What the ladder counts, e.g. `points_in_window` or `stored_value_in`.")
    value: int = Field(..., description="The member's count so far; money measures are in minor units.")
    second_measure: str | None = Field(None, description="The second measure, for two-measure ladders.")
    second_value: int | None = Field(None, description="The count in the second measure.")
    combine: str | None = Field(None, description="How the two measures combine: `and` (both) or `or` (either).")
    remaining: int | None = Field(None, description="What the next tier still needs; null at the top.")
    second_remaining: int | None = Field(None, description="What the next tier still needs in the second measure.")
    remaining_to_keep: int | None = Field(
        None, description="What keeping the current tier past the next reset needs; null when nothing resets."
    )
    second_remaining_to_keep: int | None = Field(None, description="The same in the second measure.")
    window_start: date = Field(..., description="First local day of the counting window.")
    window_end: date | None = Field(None, description="The day the window resets (exclusive); null: never.")
    needed_by: date | None = Field(
        None, description="Last local day that counts toward the next tier (the day before the reset)."
    )
    resets_on: date | None = Field(None, description="The local day the count goes back to zero; null: never.")
    value_lost_at_reset: int = Field(..., description="What the reset takes away if nothing more is counted.")
    second_value_lost_at_reset: int | None = Field(None, description="The same in the second measure.")
    tier_after_reset: TierStepOut = Field(..., description="The tier held after the reset if nothing more counts.")
    tier_after_reset_on: date | None = Field(None, description="From when that tier applies (after any grace).")
    pending: TierStepOut | None = Field(None, description="A tier change already decided, waiting for its date.")
    pending_on: date | None = Field(None, description="The local day the pending change takes effect.")


class GiftStepOut(Schema):
    threshold_points: int = Field(..., description="Points in the month that unlock this gift.")
    name: str = Field(..., description="The gift's name in the caller's language, else English.")
    amount_minor: int = Field(..., description="The gift's value in minor units of `currency`.")
    currency: str
    categories: list[str] = Field(..., description="Product categories the gift can be used on; empty: any.")


class GiftLadderOut(Schema):
    ladder_id: int
    name: str = Field(..., description="The ladder's name, for staff.")
    month: date = Field(..., description="First day of the current month, in the programme's time zone.")
    month_ends_at: datetime = Field(..., description="Points count toward this month until this instant.")
    points: int = Field(..., description="Points earned this month, net of returns.")
    reached: list[GiftStepOut] = Field(..., description="Steps this month's points have reached.")
    next_step: GiftStepOut | None = Field(None, description="The next step; null when every step is reached.")
    points_to_next: int | None = Field(None, description="Points still needed this month for the next step.")


class OpenGiftOut(Schema):
    gift_id: str = Field(..., description="The gift's public id.")
    name: str = Field(..., description="The gift's name in the caller's language, else English.")
    month: date = Field(..., description="The month whose points unlocked it.")
    threshold_points: int
    amount_minor: int = Field(..., description="Its value in minor units of `currency`, as frozen at unlock.")
    currency: str
    unlocked_at: datetime
    claim_until: datetime = Field(..., description="Claims at or after this instant are refused.")


class PointsExpiryOut(Schema):
    expires_at: datetime = Field(..., description="The first instant these points can no longer be spent.")
    points: int


class PointsExpiringOut(Schema):
    within_days: int = Field(..., description="The programme's reminder period (30 days when it sends none).")
    until: datetime = Field(..., description="The end of the period, inclusive.")
    total: int = Field(..., description="Every point that lapses within the period.")
    expiries: list[PointsExpiryOut] = Field(..., description="Unspent points by expiry instant, soonest first.")


class MemberProgressOut(Schema):
    member_id: str
    program_id: str
    as_of: datetime = Field(..., description="The instant the figures were read.")
    local_date: date = Field(..., description="Today in the programme's time zone.")
    tier: TierProgressOut | None = Field(..., description="Null when the programme has no tier ladder.")
    gift_ladders: list[GiftLadderOut] = Field(..., description="Monthly gift ladders active today.")
    open_gifts: list[OpenGiftOut] = Field(..., description="Gifts the member can claim now, soonest to close first.")
    points_expiring: PointsExpiringOut

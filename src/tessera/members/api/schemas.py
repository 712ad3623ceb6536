"""Request and response schemas of the members API. Unknown fields are refused, never silently ignored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    # Plain pydantic for request bodies (see checkout.api.schemas.Strict).
    model_config = ConfigDict(extra="forbid")


class EnrolRequest(Strict):
    store: str | None = Field(None, max_length=32, description="Store code; must be the key's own store.")
    program_id: str | None = Field(None, max_length=40, description="Needed only where a store serves several.")
    phone: str = Field(..., min_length=3, max_length=32, examples=["13800138000", "+82 10-1234-5678"])
    name: str = Field(..., min_length=1, max_length=100)
    birthday: date | None = None
    gender: Literal["", "female", "male", "other"] = ""
    locale: Literal["en", "zh-hans", "zh-hant", "ko"] = "en"
    email: str | None = Field(None, max_length=254)


class MemberOut(Schema):
    member_id: str
    program_id: str
    card_number: str
    name: str
    phone_masked: str
    status: str
    locale: str
    enrolled_at: datetime


class StoredValueOut(Schema):
    currency: str
    principal_minor: int
    bonus_minor: int
    total_minor: int
    usable_here_minor: int | None = Field(
        None,
        description="What this store may take as a tender: the total, except on an alliance card whose operator "
        "does not share stored value between merchants (it needs a payment licence), where only what was bought "
        "from this store's merchant is usable here.",
    )


class BalancesOut(Schema):
    points: int
    points_owed: int
    stored_value: StoredValueOut


class MemberWithBalancesOut(MemberOut):
    balances: BalancesOut


class LookupOut(Schema):
    members: list[MemberWithBalancesOut]


class HistoryEntryOut(Schema):
    entry_id: int
    posting_id: str
    event_at: datetime
    recorded_at: datetime
    store_code: str
    store_name: str
    reason: str
    account: str
    unit: str
    amount: int
    balance_after: int | None
    source_type: str
    source_id: str
    actor: str


class HistoryOut(Schema):
    entries: list[HistoryEntryOut]
    next_before: int | None = Field(None, description="Pass as `before` to fetch the next, older page.")

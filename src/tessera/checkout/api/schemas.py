"""Request and response schemas of the checkout API.

Amounts are integers in minor units of the store's currency (fen for CNY, won for KRW). Totals, points and
stored-value splits are never taken from the POS: Tessera computes them, and refuses unknown fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from tessera.kit.money import AMOUNT_MINOR_MAX
from tessera.members.api.schemas import BalancesOut

Minor = Field(..., ge=0, le=AMOUNT_MINOR_MAX)
TenderKind = Literal["cash", "bank_card", "wechat_pay", "alipay", "stored_value", "points", "other"]


class Strict(BaseModel):
    # Plain pydantic for request bodies: ninja's Schema adds a Python wrap validator per nested object (to read
    # Django models), which took 100 us to parse a 3-line sale against 6 us without it.
    model_config = ConfigDict(extra="forbid")


class LineIn(Strict):
    line_no: int = Field(..., ge=1, le=100_000)
    sku: str = Field(..., min_length=1, max_length=64)
    name: str = Field(..., min_length=1, max_length=200)
    brand: str = Field("", max_length=100)
    category: str = Field("", max_length=100)
    quantity: int = Field(..., ge=1, le=100_000, description="Whole units; weighed goods send 1 and the line price.")
    unit_price_minor: int = Minor
    discount_minor: int = Field(0, ge=0, le=AMOUNT_MINOR_MAX)


class TenderIn(Strict):
    kind: TenderKind
    amount_minor: int = Field(..., ge=1, le=AMOUNT_MINOR_MAX)
    reference: str = Field("", max_length=100)


class DocumentBase(Strict):
    store: str = Field(..., min_length=1, max_length=32, description="Store code; must be the key's own store.")
    terminal: str | None = Field(None, max_length=100, description="Till name, for the POS's own records.")
    pos_number: str = Field(..., min_length=1, max_length=64, description="The POS document number.")
    event_at: AwareDatetime = Field(..., description="When it happened at the till, with its UTC offset.")


class JoinRequest(Strict):
    """A customer who becomes a member with this purchase (programmes that require a qualifying purchase)."""

    phone: str = Field(..., min_length=3, max_length=32)
    name: str = Field(..., min_length=1, max_length=100)
    birthday: date | None = None
    gender: Literal["", "female", "male", "other"] = ""
    locale: Literal["en", "zh-hans", "zh-hant", "ko"] = "en"
    email: str | None = Field(None, max_length=254)


class SaleRequest(DocumentBase):
    member: str = Field(
        "", max_length=64, description="Member id, card number or card code; leave empty when `join` is sent."
    )
    join: JoinRequest | None = Field(None, description="Enrol the customer with this sale instead of `member`.")
    currency: str = Field(..., min_length=3, max_length=3)
    lines: list[LineIn] = Field(..., min_length=1, max_length=500)
    tenders: list[TenderIn] = Field(default_factory=list, max_length=20)
    coupons: list[str] | None = Field(
        None, max_length=20,
        description="Coupon codes to use, as shown or scanned. Omit on a quote to let Tessera pick the best "
        "allowed combination; omit on a commit to use none. [] on a quote prices the sale without coupons.",
    )  # fmt: skip

    @model_validator(mode="after")
    def _member_or_join(self) -> SaleRequest:
        if bool(self.member) == (self.join is not None):
            raise ValueError("send either member (an existing member) or join (a new one), not both or neither")
        return self


class QuoteRequest(SaleRequest):
    hold_coupons: bool = Field(
        False, description="Hold the coupons the quote uses for this store and pos_number for a few minutes, so no "
        "other till can use them before this sale commits.",
    )  # fmt: skip


class ReturnLineRequest(Strict):
    line_no: int = Field(..., ge=1, le=100_000, description="Line number on the original sale.")
    quantity: int = Field(..., ge=1, le=100_000)


class ReturnRequest(DocumentBase):
    original_pos_number: str = Field(..., min_length=1, max_length=64)
    lines: list[ReturnLineRequest] = Field(
        default_factory=list, max_length=500, description="Omit to return everything not yet returned."
    )


class TopUpRequest(DocumentBase):
    member: str = Field(..., min_length=1, max_length=64)
    currency: str = Field(..., min_length=3, max_length=3)
    amount_minor: int = Field(..., ge=1, le=AMOUNT_MINOR_MAX)
    tender: Literal["cash", "bank_card", "wechat_pay", "alipay", "other"] = "cash"


class TopUpRefundRequest(DocumentBase):
    original_pos_number: str = Field(..., min_length=1, max_length=64, description="The top-up's POS number.")
    amount_minor: int | None = Field(
        None, ge=1, le=AMOUNT_MINOR_MAX, description="Principal to pay back; omit for all that is left of the top-up."
    )
    tender: Literal["cash", "bank_card", "wechat_pay", "alipay", "other"] = "cash"


class RedemptionRequest(DocumentBase):
    member: str = Field(..., min_length=1, max_length=64)
    points: int = Field(..., ge=1, le=10**9)
    reason: str = Field("", max_length=200)


class SplitOut(Schema):
    principal_minor: int
    bonus_minor: int


class DiscountLineOut(Schema):
    line_no: int
    discount_minor: int


class MemberDiscountOut(Schema):
    tier: str = Field(..., description="The tier whose discount applied; empty when none.")
    total_minor: int
    lines: list[DiscountLineOut]


class PointsPaymentOut(Schema):
    points: int = Field(..., description="Points taken from the member.")
    minor: int = Field(..., description="The money they paid, in minor units.")


class PointsOut(Schema):
    earned: int
    debt_repaid: int
    credited: int
    explanation: dict[str, object]


class TierChangeOut(Schema):
    from_tier: str = Field(..., description="Tier code held before this document.")
    to_tier: str = Field(..., description="Tier code held after it.")
    reason: str = Field(..., description="upgrade (a threshold crossed), or why a window closed here.")


class CouponLineOut(Schema):
    line_no: int
    discount_minor: int


class CouponOut(Schema):
    code: str
    template: str = Field(..., description="The coupon template's code.")
    kind: str = Field(..., description="cash, percent, gift or points_multiplier.")
    name: str = Field(..., description="In the language of the request.")
    valid_until: datetime
    multiplier_permille: int | None = None


class CouponUsedOut(CouponOut):
    discount_minor: int
    lines: list[CouponLineOut]


class CouponNotUsedOut(CouponOut):
    reason: str = Field(..., description="A stable code: expired, min_spend, tier, store, exclusive, ...")
    reason_text: str = Field(..., description="Why, in the language of the request.")


class CouponsOut(Schema):
    total_minor: int
    used: list[CouponUsedOut]


class QuoteCouponsOut(CouponsOut):
    not_used: list[CouponNotUsedOut] = Field(..., description="Every other coupon the member holds, and why not.")
    held: list[str] | None = Field(None, description="Codes held for this checkout (with hold_coupons).")
    held_until: datetime | None = None


class DocumentOut(Schema):
    document_id: str
    kind: str
    pos_number: str
    member_id: str
    currency: str
    posting_id: str | None
    event_at: datetime
    recorded_at: datetime
    balances: BalancesOut


class SaleOut(DocumentOut):
    total_minor: int
    member_discount: MemberDiscountOut
    stored_value: SplitOut
    points_payment: PointsPaymentOut
    points: PointsOut
    coupons: CouponsOut
    tier_change: TierChangeOut | None = Field(..., description="The tier move this sale caused; null when none.")


class QuoteOut(Schema):
    member_id: str
    currency: str
    total_minor: int = Field(..., description="What the tenders must add up to, after the member's discount.")
    tenders_match: bool = Field(
        ..., description="Whether the tenders sent pay total_minor; if not, points shown assume them as sent."
    )
    member_discount: MemberDiscountOut
    stored_value: SplitOut
    points_payment: PointsPaymentOut
    points: PointsOut
    coupons: QuoteCouponsOut
    balances_before: BalancesOut


class RefundOut(Schema):
    stored_value: SplitOut
    other_tenders_minor: int
    deducted_for_spent_points_minor: int


class PointsBackOut(Schema):
    taken_back: int
    from_balance: int
    as_debt: int
    in_money: int
    deducted_minor: int


class ReturnOut(DocumentOut):
    original_pos_number: str
    value_minor: int
    refund: RefundOut
    points: PointsBackOut
    coupons_restored: list[str] = Field(..., description="Codes given back because the whole sale came back.")
    tier_change: TierChangeOut | None = Field(
        ..., description="A window that ended, closed by this return; null mostly, as returns never downgrade at once."
    )


class TopUpOut(DocumentOut):
    amount_minor: int
    bonus_minor: int
    bonus_points: int = Field(..., description="Points the top-up's bonus rule gave.")
    bonus_coupons: list[str] = Field(..., description="Codes of the coupons it gave.")
    gift: str = Field(..., description="A gift for the cashier to hand over; empty when none.")
    bonus_rule: str = Field(..., description="The bonus rule that applied; empty for a simple band or none.")
    tier_change: TierChangeOut | None = Field(..., description="The tier move the stored value put in caused.")


class TopUpRefundFiguresOut(Schema):
    principal_minor: int = Field(..., description="Principal taken off the card.")
    bonus_clawed_minor: int = Field(..., description="The refund's share of the bonus, taken off the card.")
    bonus_spent_kept_minor: int = Field(..., description="The part of that share already spent, kept from the money.")
    points_kept_minor: int = Field(..., description="Kept for bonus points already spent (programme's policy).")
    paid_out_minor: int = Field(..., description="What the cashier pays back.")


class TopUpRefundPointsOut(Schema):
    taken_back: int
    from_balance: int
    as_debt: int
    in_money: int


class TopUpRefundOut(DocumentOut):
    original_pos_number: str
    refund: TopUpRefundFiguresOut
    points: TopUpRefundPointsOut
    coupons_voided: list[str] = Field(..., description="Unused coupons the top-up gave, voided (whole refund only).")
    coupons_kept: list[str] = Field(..., description="Its coupons already redeemed or held by a checkout, kept.")
    fully_refunded: bool
    gift: str = Field(..., description="The top-up's gift, for the cashier to take back; empty when none.")
    tier_change: TierChangeOut | None


class BonusCouponOut(Schema):
    template: str
    count: int


class RefusalOut(Schema):
    code: str
    message: str


class TopUpQuoteOut(Schema):
    member_id: str
    currency: str
    amount_minor: int
    bonus_minor: int
    bonus_points: int
    bonus_coupon: BonusCouponOut | None
    gift: str
    bonus_rule: str
    refusal: RefusalOut | None = Field(..., description="Why committing would be refused (a cap), or null.")
    balances_before: BalancesOut


class RedemptionOut(DocumentOut):
    points: int

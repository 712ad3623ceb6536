"""What the till asks for, as plain values: the API and the console both build these."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any


class Canonical:
    """The body as plain JSON-able values, the same whatever order the till sent its fields in."""

    event_at: datetime

    def canonical(self) -> dict[str, Any]:
        body: dict[str, Any] = _plain(self)
        return body


def _plain(value: Any) -> Any:
    # What dataclasses.asdict gave, with dates as ISO text, without its deep copies (it ran on every POS write).
    # The fingerprints of stored requests depend on these bytes: tests compare them with the asdict form.
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class LineIn:
    line_no: int
    sku: str
    name: str
    quantity: int
    unit_price_minor: int
    brand: str = ""
    category: str = ""
    discount_minor: int = 0


@dataclass(frozen=True, slots=True)
class TenderIn:
    kind: str
    amount_minor: int
    reference: str = ""


@dataclass(frozen=True, slots=True)
class JoinIn:
    """A customer who becomes a member with this sale (when the programme asks for a qualifying purchase)."""

    phone: str
    name: str
    birthday: date | None = None
    gender: str = ""
    locale: str = "en"
    email: str | None = None


@dataclass(frozen=True, slots=True)
class SaleIn(Canonical):
    member: str  # public id, card number or card code; empty when ``join`` enrols a new member
    pos_number: str
    event_at: datetime
    currency: str
    lines: tuple[LineIn, ...]
    tenders: tuple[TenderIn, ...]
    join: JoinIn | None = None
    coupons: tuple[str, ...] | None = None  # codes the till chose; None: none (a quote then picks the best)

    def canonical(self) -> dict[str, Any]:
        body = Canonical.canonical(self)  # not super(): slots dataclasses break its zero-argument form
        # Sales without coupons keep the body (and so the fingerprint) they had before coupons existed, so a
        # retry across the upgrade is still recognised as the same request.
        if self.coupons is None:
            del body["coupons"]
        return body


@dataclass(frozen=True, slots=True)
class ReturnLineIn:
    line_no: int
    quantity: int


@dataclass(frozen=True, slots=True)
class ReturnIn(Canonical):
    original_pos_number: str
    pos_number: str
    event_at: datetime
    lines: tuple[ReturnLineIn, ...] = field(default_factory=tuple)  # empty: return everything still unreturned


@dataclass(frozen=True, slots=True)
class TopUpIn(Canonical):
    member: str
    pos_number: str
    event_at: datetime
    currency: str
    amount_minor: int
    tender_kind: str = "cash"


@dataclass(frozen=True, slots=True)
class TopUpRefundIn(Canonical):
    original_pos_number: str
    pos_number: str
    event_at: datetime
    amount_minor: int | None = None  # None: all of the top-up's principal still unrefunded
    tender_kind: str = "cash"  # how the money goes back


@dataclass(frozen=True, slots=True)
class RedemptionIn(Canonical):
    member: str
    pos_number: str
    event_at: datetime
    points: int
    reason: str = ""

"""Validating what the till sends: lines and tenders. The server computes every total itself."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.checkout.commands import LineIn, TenderIn
from tessera.checkout.errors import AmountInvalid, LineInvalid, TenderMismatch
from tessera.checkout.models import Tender
from tessera.checkout.rules import line_amount
from tessera.kit.money import AMOUNT_MINOR_MAX, amount_text

LINES_MAX = 500
LINE_COLUMNS = [
    "document_id", "line_no", "sku", "name", "brand", "category", "quantity", "unit_price_minor", "discount_minor",
    "amount_minor", "member_discount_minor", "points", "original_line_id",
]  # fmt: skip
TENDER_COLUMNS = ["document_id", "kind", "amount_minor", "reference"]
QUANTITY_MAX = 100_000
TENDER_KINDS = frozenset(Tender.Kind.values)


def lines_validate(lines: Sequence[LineIn]) -> list[int]:
    """Each line's amount in minor units, after checking every field.

    :raises LineInvalid: a line is malformed (the message names it and says why).
    """
    if not lines:
        raise LineInvalid(line_no="-", reason=_("a document needs at least one line"))
    if len(lines) > LINES_MAX:
        raise LineInvalid(line_no="-", reason=_("at most %(count)s lines") % {"count": LINES_MAX})
    seen: set[int] = set()
    amounts = []
    for line in lines:
        reason = _line_problem(line, seen)
        if reason:
            raise LineInvalid(line_no=line.line_no, reason=reason)
        seen.add(line.line_no)
        amounts.append(
            line_amount(
                quantity=line.quantity, unit_price_minor=line.unit_price_minor, discount_minor=line.discount_minor
            )
        )
    if sum(amounts) > AMOUNT_MINOR_MAX:
        raise AmountInvalid(max=AMOUNT_MINOR_MAX)
    return amounts


def _line_problem(line: LineIn, seen: set[int]) -> str:
    checks = [
        (line.line_no < 1, gettext_lazy("line numbers start at 1")),
        (line.line_no in seen, gettext_lazy("line number used twice")),
        (not line.sku.strip() or len(line.sku) > 64, gettext_lazy("SKU must be 1 to 64 characters")),
        (not line.name.strip() or len(line.name) > 200, gettext_lazy("name must be 1 to 200 characters")),
        (
            len(line.brand) > 100 or len(line.category) > 100,
            gettext_lazy("brand and category are at most 100 characters"),
        ),
        (not 1 <= line.quantity <= QUANTITY_MAX, gettext_lazy("quantity must be a whole number from 1 to 100,000")),
        (not 0 <= line.unit_price_minor <= AMOUNT_MINOR_MAX, gettext_lazy("unit price is negative or too large")),
        (line.discount_minor < 0, gettext_lazy("discount cannot be negative")),
        (line.discount_minor > line.quantity * line.unit_price_minor, gettext_lazy("discount exceeds the line value")),
    ]
    return next((str(reason) for failed, reason in checks if failed), "")


def tenders_shape_check(tenders: Sequence[TenderIn]) -> None:
    """Each tender has a known kind and a sane amount (the sum is checked once the total is known)."""
    for tender in tenders:
        if tender.kind not in TENDER_KINDS:
            raise LineInvalid(line_no="-", reason=_("unknown payment kind %(kind)s") % {"kind": tender.kind})
        if not 1 <= tender.amount_minor <= AMOUNT_MINOR_MAX:
            raise AmountInvalid(max=AMOUNT_MINOR_MAX)


def tenders_sum_check(tenders: Sequence[TenderIn], total: int, currency: str) -> None:
    """:raises TenderMismatch: the tenders do not pay exactly the total the server computed."""
    tendered = sum(t.amount_minor for t in tenders)
    if tendered != total:
        raise TenderMismatch(
            tendered=tendered, total=total,
            tendered_text=amount_text(tendered, currency), total_text=amount_text(total, currency),
        )  # fmt: skip


def tendered(tenders: Sequence[TenderIn], kind: str) -> int:
    return sum(t.amount_minor for t in tenders if t.kind == kind)

"""Numbers, dates and identifiers as merchants' exports write them, read exactly (``Decimal``, never binary).

Each reader returns None for text it cannot read; the caller says which column and why.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

# Dates without an offset are read in the store's time zone by the caller. ISO 8601 (what databases and most
# tools write) is tried first; then year-first forms with other separators, as Chinese and Korean tools write.
# Day-first and month-first forms are ambiguous (1/2/2011), so they need --date-format.
DATE_FORMATS = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
)  # fmt: skip

_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_PLAIN_COMMA = re.compile(r"[+-]?(?:\d+(?:,\d*)?|,\d+)")
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?")
_WHOLE_WITH_ZEROS = re.compile(r"(\d+)\.0+")
_SPACES = str.maketrans("", "", " \u00a0\u202f'")


def decimal_read(text: str, *, decimal_comma: bool = False) -> Decimal | None:
    """``12.50``, ``1,234.50`` or ``-3``; with ``decimal_comma``, ``12,50`` and ``1.234,50``. Digit-group
    separators are accepted only in groups of three, so ``2,55`` without ``decimal_comma`` is refused, not 255."""
    t = text.strip().translate(_SPACES)
    if decimal_comma:
        if not (_PLAIN_COMMA.fullmatch(t) or _GROUPED_COMMA.fullmatch(t)):
            return None
        t = t.replace(".", "").replace(",", ".")
    else:
        if not (_PLAIN.fullmatch(t) or _GROUPED.fullmatch(t)):
            return None
        t = t.replace(",", "")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def whole_read(value: Decimal) -> int | None:
    """A count written as a decimal (``6.0``, as spreadsheets export them) as an int; None if it has a fraction."""
    return int(value) if value == value.to_integral_value() else None


def minor_read(value: Decimal, exponent: int, *, round_half_up: bool = False) -> tuple[int, bool] | None:
    """Major units to minor units of a currency with ``exponent`` digits, exactly: (minor, whether it was
    rounded). More digits than the currency has are refused, or rounded half up when asked."""
    scaled = value.scaleb(exponent)
    whole = scaled.to_integral_value(rounding=ROUND_HALF_UP)
    if whole == scaled:
        return int(whole), False
    return (int(whole), True) if round_half_up else None


def unit_price_from_amount(amount_minor: int, quantity: int) -> int:
    """The unit price of a line known only by its amount: rounded up, so the difference is a discount ≥ 0."""
    return int((Decimal(amount_minor) / quantity).to_integral_value(rounding=ROUND_CEILING))


def identifier_read(text: str) -> str:
    """An identifier as text, without the ``.0`` that spreadsheets and data tools add to whole numbers
    (Online Retail's CustomerID is ``17850.0``)."""
    t = text.strip()
    whole = _WHOLE_WITH_ZEROS.fullmatch(t)
    return whole.group(1) if whole else t


def datetime_read(text: str, date_format: str | None = None) -> datetime | None:
    """A date and time: with ``date_format`` (``strptime`` codes) that format only; else ISO 8601 or one of
    ``DATE_FORMATS``. The result is naive unless the text carries an offset."""
    t = text.strip()
    if not t:
        return None
    formats: tuple[str, ...] = (date_format,) if date_format else DATE_FORMATS
    if not date_format:
        try:
            return datetime.fromisoformat(t)
        except ValueError:
            pass
    for fmt in formats:
        try:
            return datetime.strptime(t, fmt)  # noqa: DTZ007  (the caller applies the store's zone)
        except ValueError:
            continue
    return None

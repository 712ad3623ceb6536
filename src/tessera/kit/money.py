"""Money as integer minor units with an ISO 4217 currency.

Precision comes from CLDR through babel (KRW 0, CNY 2, JPY 0, BHD 3), never from a hard-coded ``.01``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

# The largest amount Tessera accepts in one field, in minor units. Well inside a signed 64-bit column even
# after summing a year of documents, and far above any real till total (10^13 fen is 100 billion yuan).
AMOUNT_MINOR_MAX = 10**13


class UnknownCurrency(ValueError):
    pass


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_is_known(code: str) -> bool:
    return code in _known_currencies()


@cache
def currency_exponent(code: str) -> int:
    """Digits after the decimal point for ``code`` (CNY 2, KRW 0)."""
    if not currency_is_known(code):
        raise UnknownCurrency(code)
    return int(get_currency_precision(code))


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        currency_exponent(self.currency)  # rejects unknown codes early

    def as_decimal(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-currency_exponent(self.currency))

    def format(self, locale: str = "en") -> str:
        return money_format(self.amount_minor, self.currency, locale)


def money_format(amount_minor: int, currency: str, locale: str = "en") -> str:
    """Format minor units for people, per locale: ``¥1,234.50``, ``₩12,000``."""
    exponent = currency_exponent(currency)
    value = Decimal(amount_minor).scaleb(-exponent)
    return str(format_currency(value, currency, locale=_babel_locale(locale), currency_digits=True))


def amount_text(amount: int, unit: str) -> str:
    """An amount for people in the active language: ``CN¥12.50``, ``₩12,000`` or ``1,234 points``."""
    from django.utils.translation import get_language, ngettext

    if unit == "PTS":
        return ngettext("%(count)s point", "%(count)s points", amount) % {"count": f"{amount:,}"}
    return money_format(amount, unit, get_language() or "en")


def money_parse_major(text: str, currency: str) -> int:
    """Parse a human amount such as ``12.50`` into minor units; refuses more digits than the currency has."""
    exponent = currency_exponent(currency)
    value = Decimal(text.strip().replace(",", ""))
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} has {exponent} decimal places")
    return int(minor)


def _babel_locale(language_code: str) -> str:
    return {"zh-hans": "zh_Hans_CN", "zh-hant": "zh_Hant_TW", "ko": "ko_KR"}.get(language_code.lower(), "en")

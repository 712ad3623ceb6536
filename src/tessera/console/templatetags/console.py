"""Console template filters: money and numbers formatted for the active language with babel (CLDR)."""

from __future__ import annotations

from babel.numbers import format_decimal
from django import template
from django.utils.translation import get_language

from tessera.kit.money import money_format

register = template.Library()

POINTS_UNIT = "PTS"
_BABEL_LOCALES = {"zh-hans": "zh_Hans_CN", "zh-hant": "zh_Hant_TW", "ko": "ko_KR"}


def _locale() -> str:
    return _BABEL_LOCALES.get((get_language() or "en").lower(), "en")


@register.filter
def money(amount_minor: int | None, currency: str) -> str:
    """``12950|money:"CNY"`` is ``¥129.50`` in English and ``¥129.50`` in Chinese; ``12000|money:"KRW"`` ``₩12,000``."""
    return money_format(int(amount_minor or 0), currency, get_language() or "en")


@register.filter
def number(value: int | None) -> str:
    return str(format_decimal(int(value or 0), locale=_locale()))


@register.filter
def amount(value: int | None, unit: str) -> str:
    """A ledger amount with its sign: points as a number, stored value as money in ``unit``."""
    quantity = int(value or 0)
    text = number(abs(quantity)) if unit == POINTS_UNIT else money(abs(quantity), unit)
    return f"{'+' if quantity > 0 else '−' if quantity < 0 else ''}{text}"


@register.filter
def balance(value: int | None, unit: str) -> str:
    if value is None:
        return ""
    return number(value) if unit == POINTS_UNIT else money(value, unit)

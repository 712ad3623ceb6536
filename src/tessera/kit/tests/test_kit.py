from __future__ import annotations

import pytest

from tessera.kit.cards import card_code_clean, card_code_payload, card_number_clean, card_number_new, luhn_is_valid
from tessera.kit.money import currency_exponent, money_format, money_parse_major
from tessera.kit.phone import InvalidPhone, phone_mask, phone_normalize


def test_luhn_known_numbers():
    assert luhn_is_valid("79927398713")
    assert not luhn_is_valid("79927398710")


def test_new_card_numbers_are_valid_distinct_and_cleanable():
    numbers = {card_number_new() for _ in range(500)}
    assert len(numbers) == 500
    for number in list(numbers)[:20]:
        assert card_number_clean(f"{number[:4]} {number[4:8]}-{number[8:]}") == number
    assert card_number_clean("1234") is None


def test_code_payload_round_trips():
    assert card_code_clean(card_code_payload("abc")) == "abc"


@pytest.mark.parametrize(
    ("currency", "exponent", "minor", "text"),
    [("CNY", 2, 123450, "CN¥1,234.50"), ("KRW", 0, 12000, "₩12,000"), ("JPY", 0, 500, "¥500")],
)
def test_currency_precision_comes_from_cldr(currency, exponent, minor, text):
    assert currency_exponent(currency) == exponent
    assert money_format(minor, currency) == text


def test_parsing_refuses_digits_the_currency_does_not_have():
    assert money_parse_major("12.50", "CNY") == 1250
    assert money_parse_major("12000", "KRW") == 12000
    with pytest.raises(ValueError, match="KRW has 0 decimal places"):
        money_parse_major("12.5", "KRW")


def test_phones():
    assert phone_normalize("13800138000", default_region="CN") == "+8613800138000"
    assert phone_normalize("010 1234 5678", default_region="KR") == "+821012345678"
    with pytest.raises(InvalidPhone):
        phone_normalize("138", default_region="CN")
    assert phone_mask("+8613800138000") == "+86138****8000"

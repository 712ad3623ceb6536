"""Member card numbers and digital-card codes.

A card number is 16 digits: the issuer digit ``8``, 14 random digits from the operating system's CSPRNG, and a
Luhn check digit, so a mistyped digit or swapped neighbours are caught before a lookup. 10^14 random values make
guessing a live number hopeless at any rate limit. The digital-card code is a separate 128-bit random token that
the QR code carries; it can be rotated without changing the printed card.
"""

from __future__ import annotations

import secrets

CARD_ISSUER_DIGIT = "8"
CARD_LENGTH = 16
CODE_PREFIX = "TSR1:"


def luhn_check_digit(payload: str) -> str:
    total = 0
    # Walk from the right; every second digit from the check position is doubled.
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_is_valid(number: str) -> bool:
    return number.isdigit() and len(number) >= 2 and luhn_check_digit(number[:-1]) == number[-1]


def card_number_new() -> str:
    body = CARD_ISSUER_DIGIT + "".join(secrets.choice("0123456789") for _ in range(CARD_LENGTH - 2))
    return body + luhn_check_digit(body)


def card_number_clean(raw: str) -> str | None:
    """Strip spaces and dashes; None when it cannot be one of our card numbers."""
    digits = "".join(ch for ch in raw if ch not in " -")
    if len(digits) != CARD_LENGTH or not luhn_is_valid(digits):
        return None
    return digits


def card_code_new() -> str:
    return secrets.token_urlsafe(16)


def card_code_clean(raw: str) -> str:
    text = raw.strip()
    return text[len(CODE_PREFIX) :] if text.startswith(CODE_PREFIX) else text


def card_code_payload(code: str) -> str:
    """What the QR code on the member's phone carries."""
    return CODE_PREFIX + code

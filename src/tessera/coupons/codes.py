"""Coupon codes: 12 random Crockford base-32 symbols and one check symbol, e.g. ``K7QM-2XHD-9PWA-R``.

60 random bits from the operating system's CSPRNG make a live code impossible to guess at any rate limit. The
check symbol (ISO 7064 mod 37-2 over the Crockford alphabet plus ``*``) catches a mistyped or swapped symbol
before any lookup, so a typo is told apart from a wrong code without revealing which codes exist. Reading is
forgiving: case, spaces and dashes are ignored, and O/I/L read as 0/1/1 as Crockford intends.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CHECK_ALPHABET = ALPHABET + "*~$=U"  # Crockford's five extra check symbols make 37, for values 0..36
BODY_LENGTH = 12
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_symbol(body: str) -> str:
    """ISO 7064 MOD 37-2 pure system over the body's Crockford values."""
    total = 0
    for char in body:
        total = ((total + ALPHABET.index(char)) * 2) % 37
    return CHECK_ALPHABET[(38 - total) % 37]


def code_new() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_symbol(body)


def code_clean(raw: str) -> str | None:
    """The canonical form of a code as typed or scanned, or None if it cannot be one (wrong length or check)."""
    text = "".join(raw.split()).replace("-", "").upper().translate(_READ_AS)
    if len(text) != BODY_LENGTH + 1:
        return None
    body, check = text[:-1], text[-1]
    if any(c not in ALPHABET for c in body) or check != check_symbol(body):
        return None
    return text


def code_display(code: str) -> str:
    """Groups of four for people to read aloud: ``K7QM-2XHD-9PWA-R``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

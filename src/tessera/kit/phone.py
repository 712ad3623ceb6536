"""Phone numbers, validated and normalised to E.164 with libphonenumber."""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


def phone_normalize(raw: str, *, default_region: str) -> str:
    """Return ``raw`` in E.164 (``+8613800138000``); a local number is read in ``default_region`` (CN, KR)."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidPhone(raw)
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(raw) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_mask(e164: str) -> str:
    """Show enough to confirm a member at the till, not enough to harvest: ``+86138****8000``; nothing for a
    member who has no phone (one imported from another system without it)."""
    if not e164:
        return ""
    if len(e164) < 8:
        return "****"
    return f"{e164[:-8]}****{e164[-4:]}"

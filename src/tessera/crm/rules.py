"""What the programme asks members about and why, which answers are sensitive, and the derived age band.

Seed 000 section 5 lists the attributes; compliance.md decides how each is handled. PIPL Art. 6 and GDPR
Art. 5(1)(c) ask for a stated purpose and minimal collection, so every attribute carries the sentence shown to
staff (and to be read to the member) saying why it is asked, and each is optional (C-1).

Sensitive here means compliance.md's sense: personal information whose leak can hurt the member (PIPL Art. 28:
financial position, specific identity, minors' data), which needs separate consent (Art. 29, C-3), is masked for
cashiers and shown in full only through an audited reveal. Decided per attribute:

- ``income_band``: sensitive. compliance.md: "Tessera treats ... self-reported income as sensitive by default",
  and C-3 names income explicitly.
- ``occupation``: sensitive. It is free text, and a job often states a "specific identity" (police, military,
  clergy, a health condition behind "retired early") that Art. 28 lists; the programme cannot tell which, so all
  of it is handled as sensitive.
- ``education``: not sensitive. A level from a fixed list, in none of Art. 28's categories; still personal data,
  so it is optional and has its purpose.
- ``region``: not sensitive. A district or city, not whereabouts (Art. 28 means movement tracks).
- ``preferences``, ``gender``: not sensitive (categories and styles liked; gender is on the card already).
- ``birthday``: not sensitive in Art. 28's sense, but personal data the member page masks (``members``); this area
  shows only the derived ``age_band``. Data of under-14s is sensitive as a whole (Art. 28, C-4): that is enforced
  at enrolment by the members area, not by masking one attribute here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Source(StrEnum):
    MEMBER = "member"  # a field of members.Member, edited on the member page
    PROFILE = "profile"  # a field of crm.Profile
    DERIVED = "derived"  # computed, never stored


@dataclass(frozen=True, slots=True)
class Attribute:
    code: str
    label: Promise
    purpose: Promise
    sensitive: bool
    source: Source
    # A till may set it (PATCH by a terminal): only attributes that are not sensitive and that the profile holds.
    till_writable: bool = False


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("gender", _("Gender"), _("To address the member properly and suggest ranges made for them."),
              sensitive=False, source=Source.MEMBER),
    Attribute("birthday", _("Birthday"), _("To send birthday greetings and offers, and to work out the age band."),
              sensitive=False, source=Source.MEMBER),
    Attribute("age_band", _("Age band"),
              _("To group members by age for offers and reports without showing anyone's birthday."),
              sensitive=False, source=Source.DERIVED),
    Attribute("occupation", _("Occupation"), _("To offer services and events that fit the member's working life."),
              sensitive=True, source=Source.PROFILE),
    Attribute("income_band", _("Monthly income band"),
              _("To suggest offers in a price range that suits the member."),
              sensitive=True, source=Source.PROFILE),
    Attribute("education", _("Education"), _("To choose the tone and topics of member events and newsletters."),
              sensitive=False, source=Source.PROFILE, till_writable=True),
    Attribute("region", _("Region"), _("To invite the member to stores and events near where they live."),
              sensitive=False, source=Source.PROFILE, till_writable=True),
    Attribute("preferences", _("Preferences"),
              _("To tell the member about the categories and styles they like, and not about others."),
              sensitive=False, source=Source.PROFILE, till_writable=True),
)  # fmt: skip

ATTRIBUTES_BY_CODE = {a.code: a for a in ATTRIBUTES}
PROFILE_FIELDS = tuple(a.code for a in ATTRIBUTES if a.source is Source.PROFILE)
SENSITIVE_FIELDS = tuple(a.code for a in ATTRIBUTES if a.sensitive)
TILL_FIELDS = tuple(a.code for a in ATTRIBUTES if a.till_writable)

SENSITIVE_MASK = "••••"

# ---------------------------------------------------------------- age band


class AgeBand(StrEnum):
    UNDER_18 = "under_18"
    FROM_18 = "18_24"
    FROM_25 = "25_34"
    FROM_35 = "35_44"
    FROM_45 = "45_54"
    FROM_55 = "55_64"
    FROM_65 = "65_plus"


# Lowest age of each band, highest first: the first one at or below the age is the band.
_BAND_FLOORS = (
    (65, AgeBand.FROM_65),
    (55, AgeBand.FROM_55),
    (45, AgeBand.FROM_45),
    (35, AgeBand.FROM_35),
    (25, AgeBand.FROM_25),
    (18, AgeBand.FROM_18),
    (0, AgeBand.UNDER_18),
)

AGE_BAND_LABELS: dict[AgeBand, Promise | str] = {
    AgeBand.UNDER_18: _("Under 18"),
    AgeBand.FROM_18: "18–24",
    AgeBand.FROM_25: "25–34",
    AgeBand.FROM_35: "35–44",
    AgeBand.FROM_45: "45–54",
    AgeBand.FROM_55: "55–64",
    AgeBand.FROM_65: _("65 and over"),
}


def age_on(birthday: date, today: date) -> int:
    """Whole years completed on ``today``. A 29 February birthday is completed on 1 March in common years."""
    return today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))


def age_band(birthday: date | None, today: date) -> AgeBand | None:
    """The band of the age on ``today`` (the programme's local date); None without a birthday or with one in the
    future, which is a typing mistake rather than an age."""
    if birthday is None or birthday > today:
        return None
    age = age_on(birthday, today)
    return next(band for floor, band in _BAND_FLOORS if age >= floor)


# ---------------------------------------------------------------- normalising what staff type

TAG_NAME_MAX = 40
PREFERENCE_MAX = 40
PREFERENCES_MAX = 20


def words_normalise(text: str) -> str:
    """Trimmed, with runs of spaces made one: "Kids  wear " and "Kids wear" are the same tag or preference."""
    return " ".join(text.split())


def preferences_normalise(values: list[str]) -> list[str]:
    """Each preference trimmed, empty ones dropped, repeats (ignoring case) kept once, in the order given."""
    seen: set[str] = set()
    kept = []
    for value in values:
        clean = words_normalise(value)
        if clean and clean.casefold() not in seen:
            seen.add(clean.casefold())
            kept.append(clean)
    return kept

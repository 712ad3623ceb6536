"""The attribute registry and the age band."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils.functional import Promise

from tessera.crm.models import Profile
from tessera.crm.rules import (
    AGE_BAND_LABELS,
    ATTRIBUTES,
    PROFILE_FIELDS,
    SENSITIVE_FIELDS,
    TILL_FIELDS,
    AgeBand,
    Source,
    age_band,
    age_on,
    preferences_normalise,
    words_normalise,
)

TODAY = date(2026, 12, 4)


def test_every_attribute_has_a_label_and_a_purpose_sentence():
    for attribute in ATTRIBUTES:
        assert str(attribute.label).strip(), attribute.code
        purpose = str(attribute.purpose)
        assert purpose.startswith("To "), attribute.code
        assert purpose.endswith("."), attribute.code


def test_the_registry_covers_seed_000_section_5_once_each():
    codes = [a.code for a in ATTRIBUTES]
    assert len(codes) == len(set(codes))
    wanted = {"gender", "birthday", "age_band", "occupation", "income_band", "education", "region", "preferences"}
    assert set(codes) == wanted


def test_profile_attributes_are_the_profile_models_fields():
    model_fields = {f.name for f in Profile._meta.get_fields()} - {"member", "updated_at"}
    assert set(PROFILE_FIELDS) == model_fields
    assert all(a.source is Source.MEMBER for a in ATTRIBUTES if a.code in ("gender", "birthday"))


def test_income_and_occupation_are_sensitive_and_never_till_writable():
    assert set(SENSITIVE_FIELDS) == {"occupation", "income_band"}
    assert not set(SENSITIVE_FIELDS) & set(TILL_FIELDS)
    assert set(TILL_FIELDS) <= set(PROFILE_FIELDS)


def test_labels_and_purposes_are_translated_when_shown_not_when_imported():
    assert all(isinstance(a.purpose, Promise) and isinstance(a.label, Promise) for a in ATTRIBUTES)


@pytest.mark.parametrize(
    ("birthday", "band"),
    [
        (date(2008, 12, 5), AgeBand.UNDER_18),  # 17, turns 18 tomorrow
        (date(2008, 12, 4), AgeBand.FROM_18),  # 18 today
        (date(2002, 12, 5), AgeBand.FROM_18),  # 23
        (date(2001, 12, 4), AgeBand.FROM_25),
        (date(1991, 12, 4), AgeBand.FROM_35),
        (date(1981, 12, 5), AgeBand.FROM_35),  # 44
        (date(1981, 12, 4), AgeBand.FROM_45),
        (date(1971, 12, 4), AgeBand.FROM_55),
        (date(1961, 12, 5), AgeBand.FROM_55),  # 64
        (date(1961, 12, 4), AgeBand.FROM_65),
        (date(1920, 1, 1), AgeBand.FROM_65),
        (TODAY, AgeBand.UNDER_18),  # born today
    ],
)
def test_age_band_edges(birthday, band):
    assert age_band(birthday, TODAY) is band


def test_no_band_without_a_birthday_or_with_one_in_the_future():
    assert age_band(None, TODAY) is None
    assert age_band(date(2026, 12, 5), TODAY) is None


def test_a_leap_day_birthday_counts_on_the_first_of_march_in_common_years():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    assert age_on(date(2008, 2, 29), date(2028, 2, 29)) == 20


def test_every_band_has_a_label():
    assert set(AGE_BAND_LABELS) == set(AgeBand)


def test_words_and_preferences_are_normalised():
    assert words_normalise("  Kids   wear ") == "Kids wear"
    assert preferences_normalise(["Linen", " linen ", "", "  ", "Kids  wear", "kids wear", "Silk"]) == [
        "Linen",
        "Kids wear",
        "Silk",
    ]

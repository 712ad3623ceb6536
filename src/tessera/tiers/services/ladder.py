"""Creating a ladder from a plain dict, as programme templates and the API describe one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from tessera.kit.db import assert_in_transaction, use_case
from tessera.programs.models import Program
from tessera.tiers.errors import TierLadderActiveExists, TierLadderInvalid
from tessera.tiers.models import LANGUAGES, Tier, TierLadder, TierTranslation
from tessera.tiers.rules import Downgrade
from tessera.tiers.rules.validation import ladder_problems, settings_problems

_LADDER_KEYS = {"name", "measure", "second_measure", "combine", "window", "window_months", "downgrade",
                "grace_days", "active", "tiers"}  # fmt: skip
_TIER_KEYS = {"code", "threshold", "second_threshold", "discount_bp", "excluded_categories", "multiplier_permille",
              "service_codes", "translations"}  # fmt: skip
_TEXT_KEYS = {"name", "description", "services"}
_LANGUAGE_CODES = {code for code, _label in LANGUAGES}


def tier_ladder_load(*, program: Program, spec: Mapping[str, Any]) -> TierLadder:
    """Create a ladder with its tiers and their translations from ``spec``, after validating all of it.

    ``spec`` holds ``name``, ``measure``, optional ``second_measure`` with ``combine`` ("and"/"or"), ``window``,
    ``window_months`` (rolling windows only), ``downgrade`` ("reevaluate", the default, or "one_down"),
    ``grace_days`` (default 0), ``active`` (default true) and ``tiers``, listed from the base tier up. Each tier
    holds ``code``, ``threshold`` (in the measure's units: minor units for money, points, or a count),
    ``second_threshold`` with a second measure, ``discount_bp`` (default 0), ``excluded_categories`` (default
    none), ``multiplier_permille`` (default 1000, that is ×1), ``service_codes`` and ``translations``: a dict from
    language code (en, zh-hans, zh-hant, ko) to ``name``, ``description`` and ``services`` (a list of lines).

    :raises TierLadderInvalid: anything in ``spec`` is missing, unknown or inconsistent; the reason lists it all.
    :raises TierLadderActiveExists: ``spec`` is active and the programme already has an active ladder.
    """
    with use_case():
        return tier_ladder_write(program=program, spec=spec)


def tier_ladder_write(*, program: Program, spec: Mapping[str, Any]) -> TierLadder:
    """tier_ladder_load inside the caller's transaction (a programme template loads several things at once).

    :raises TierLadderInvalid, TierLadderActiveExists: as tier_ladder_load.
    """
    assert_in_transaction()
    ladder, tiers, texts = _build(program, spec)
    if ladder.is_active:
        # Locked so that two loads at once cannot both find no active ladder.
        list(Program.objects.select_for_update().filter(id=program.id).values_list("id", flat=True))
        active = TierLadder.objects.filter(program=program, is_active=True).first()
        if active is not None:
            raise TierLadderActiveExists(name=active.name)
    ladder.save()
    for tier in tiers:
        tier.ladder = ladder
    Tier.objects.bulk_create(tiers)
    for text in texts:
        text.tier_id = text.tier.id
    TierTranslation.objects.bulk_create(texts)
    return ladder


def _build(program: Program, spec: Mapping[str, Any]) -> tuple[TierLadder, list[Tier], list[TierTranslation]]:
    problems = _unknown(spec, _LADDER_KEYS, _("Ladder"))
    ladder = TierLadder(
        program=program, name=str(spec.get("name") or "").strip(), measure=str(spec.get("measure") or ""),
        second_measure=spec.get("second_measure"), combine=spec.get("combine"),
        window_kind=str(spec.get("window") or ""),
        window_months=_whole(spec, "window_months", None, problems, _("Ladder")),
        downgrade=spec.get("downgrade", Downgrade.REEVALUATE),
        grace_days=_whole(spec, "grace_days", 0, problems, _("Ladder")), is_active=bool(spec.get("active", True)),
    )  # fmt: skip
    if not ladder.name or len(ladder.name) > 200:
        problems.append(_("The ladder needs a name of 1 to 200 characters."))
    problems += settings_problems(ladder.settings())
    raw_tiers = spec.get("tiers")
    if not isinstance(raw_tiers, list) or not all(isinstance(t, Mapping) for t in raw_tiers):
        raise TierLadderInvalid(reason="; ".join([*problems, _("“tiers” must be a list of tiers, base tier first.")]))
    tiers, texts = [], []
    for rank, raw in enumerate(raw_tiers):
        tier = _tier(raw, rank, problems)
        tiers.append(tier)
        texts += _texts(tier, raw.get("translations") or {}, problems)
    problems += ladder_problems([t.terms() for t in tiers], has_second=bool(ladder.second_measure))
    if problems:
        raise TierLadderInvalid(reason="; ".join(dict.fromkeys(problems)))
    return ladder, tiers, texts


def _tier(raw: Mapping[str, Any], rank: int, problems: list[str]) -> Tier:
    code = str(raw.get("code") or "")
    where = _("Tier %(code)s") % {"code": code or rank}
    problems += _unknown(raw, _TIER_KEYS, where)
    service_codes = raw.get("service_codes", [])
    if not isinstance(service_codes, list) or not all(isinstance(c, str) for c in service_codes):
        problems.append(_("Tier %(code)s: service codes must be a list of codes.") % {"code": code})
    return Tier(
        rank=rank, code=code, threshold=_whole(raw, "threshold", 0, problems, where),
        second_threshold=_whole(raw, "second_threshold", None, problems, where),
        discount_bp=_whole(raw, "discount_bp", 0, problems, where),
        excluded_categories=raw.get("excluded_categories", []),
        multiplier_permille=_whole(raw, "multiplier_permille", 1000, problems, where), service_codes=service_codes,
    )  # fmt: skip


def _texts(tier: Tier, raw: object, problems: list[str]) -> list[TierTranslation]:
    if not isinstance(raw, Mapping):
        problems.append(_("Tier %(code)s: translations must map a language code to texts.") % {"code": tier.code})
        return []
    texts = []
    for language, text in raw.items():
        if language not in _LANGUAGE_CODES or not isinstance(text, Mapping):
            problems.append(_("Tier %(code)s: “%(language)s” is not one of en, zh-hans, zh-hant, ko.")
                            % {"code": tier.code, "language": language})  # fmt: skip
            continue
        problems += _unknown(text, _TEXT_KEYS, _("Tier %(code)s") % {"code": tier.code})
        name = str(text.get("name") or "").strip()
        if not name or len(name) > 100:
            problems.append(_("Tier %(code)s: the %(language)s name must be 1 to 100 characters.")
                            % {"code": tier.code, "language": language})  # fmt: skip
        services = text.get("services") or []
        lines = services if isinstance(services, list) else [services]
        texts.append(TierTranslation(tier=tier, language_code=language, name=name,
                                     description=str(text.get("description") or ""),
                                     services="\n".join(str(s).strip() for s in lines if str(s).strip())))  # fmt: skip
    return texts


def _whole(raw: Mapping[str, Any], key: str, default: int | None, problems: list[str], where: str) -> Any:
    value = raw.get(key, default)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    problems.append(_("%(where)s: “%(key)s” must be a whole number.") % {"where": where, "key": key})
    return default


def _unknown(raw: Mapping[str, Any], known: set[str], where: str) -> list[str]:
    return [
        _("%(where)s: “%(key)s” is not a setting.") % {"where": where, "key": key} for key in sorted(set(raw) - known)
    ]

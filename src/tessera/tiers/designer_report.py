# mypy: disallow-untyped-defs, disallow-incomplete-defs, warn-return-any, strict-equality
"""The ladder designer's answers as plain data, the same for the console page and the API.

``designer.py`` and ``designer_suggest.py`` compute; this module checks a candidate ladder as a person entered it
(with translated reasons), runs the evaluation, the suggestion and the comparison, and turns each into dicts of
plain values: money in minor units (``_minor``), ratios in basis points (``_bp``), and every finding with its
message in the active language, money shown in major units of the programme's currency.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Invalid
from tessera.tiers.designer import BP, Evaluation, Finding, Rung, Severity, ladder_evaluate, money_shown, percent_shown
from tessera.tiers.designer_suggest import SHAPES, Suggestion, Verdict, ladder_compare, ladder_suggest

TIERS_MAX = 12  # more rungs than any ladder the owners describe; the page draws one bar each
NAME_LENGTH_MAX = 100


class CandidateLadderInvalid(Invalid):
    code = "designer_ladder_invalid"
    message = _("The candidate ladder is not valid: %(reason)s")


class DesignerNoSpend(Invalid):
    code = "designer_no_spend"
    message = _("There is no spend to evaluate: the programme has no open members. Upload a spending file instead.")


class SuggestionTierCount(Invalid):
    code = "designer_suggest_tiers"
    message = _("The designer suggests ladders of 3 to 6 tiers above the base; this one has %(tiers)s.")


def ladder_problems(rungs: Sequence[Rung]) -> list[str]:
    """What is wrong with a candidate ladder, as translated sentences; empty when the designer can take it."""
    problems: list[str] = []
    if not rungs:
        problems.append(gettext("Enter at least one tier."))
    if len(rungs) > TIERS_MAX:
        problems.append(gettext("At most %(max)s tiers.") % {"max": TIERS_MAX})
    for number, rung in enumerate(rungs, start=1):
        where = {"tier": rung.name or number}
        if not rung.name.strip() or len(rung.name) > NAME_LENGTH_MAX:
            problems.append(gettext("Tier %(tier)s: the name must be 1 to 100 characters.") % where)
        if rung.threshold_minor < 0:
            problems.append(gettext("Tier %(tier)s: the threshold must not be negative.") % where)
        if not 0 <= rung.discount_bp <= BP:
            problems.append(gettext("Tier %(tier)s: the discount must be 0 to 100%%.") % where)
    for below, rung in itertools.pairwise(rungs):
        if rung.threshold_minor <= below.threshold_minor:
            problems.append(
                gettext("Tier %(tier)s: its threshold must be above %(below)s's.") % {"tier": rung.name,
                                                                                      "below": below.name}
            )  # fmt: skip
    if len({r.name for r in rungs}) < len(rungs):
        problems.append(gettext("Each tier needs its own name."))
    return problems


def ladder_checked(rungs: Sequence[Rung]) -> list[Rung]:
    """:raises CandidateLadderInvalid: ``ladder_problems`` found something."""
    if problems := ladder_problems(rungs):
        raise CandidateLadderInvalid(reason=" ".join(problems))
    return list(rungs)


def spends_present(spends_minor: Sequence[int]) -> Sequence[int]:
    """:raises DesignerNoSpend: there are no members to evaluate on."""
    if not spends_minor:
        raise DesignerNoSpend()
    return spends_minor


def finding_dict(finding: Finding, *, exponent: int) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": str(finding.severity),
        "figures": dict(finding.figures),
        "message": finding.text(exponent=exponent),
    }


def evaluation_dict(evaluation: Evaluation, *, exponent: int) -> dict[str, Any]:
    """Every figure of ``evaluation`` and its verdict, the findings' messages in the active language."""
    flagged = [f for f in evaluation.findings if f.severity != Severity.INFO]
    return {
        "member_count": evaluation.member_count,
        "max_spend_minor": evaluation.max_spend_minor,
        "band_bp": evaluation.band_bp,
        "is_diamond": evaluation.is_diamond,
        "discount_cost_minor": evaluation.discount_cost_minor,
        "members_within_reach": sum(t.within_reach for t in evaluation.paid),
        "flagged": bool(flagged),
        "verdict": _verdict(evaluation, flagged),
        "tiers": [_tier_dict(evaluation, rank) for rank in range(len(evaluation.tiers))],
        "findings": [finding_dict(f, exponent=exponent) for f in evaluation.findings],
    }


def _tier_dict(evaluation: Evaluation, rank: int) -> dict[str, Any]:
    tier = evaluation.tiers[rank]
    step_within = None if tier.step_bp is None else tier.step_bp <= evaluation.band_bp
    return {
        "rank": tier.rank, "name": tier.name, "threshold_minor": tier.threshold_minor,
        "discount_bp": tier.discount_bp, "members": tier.members, "share_bp": tier.share_bp,
        "spend_minor": tier.spend_minor, "discount_cost_minor": tier.discount_cost_minor,
        "reachable": tier.reachable, "within_reach": tier.within_reach, "step_bp": tier.step_bp,
        "step_within_band": step_within,
    }  # fmt: skip


def _verdict(evaluation: Evaluation, flagged: Sequence[Finding]) -> str:
    if not flagged:
        return gettext(
            "The ladder keeps the owners' rules: the tiers form a diamond, every tier is reachable and held, and "
            "every step is within the acceptance band."
        )
    errors = sum(1 for f in flagged if f.severity == Severity.ERROR)
    values = {"errors": errors, "warnings": len(flagged) - errors, "band": percent_shown(evaluation.band_bp)}
    if not errors:
        message = gettext(
            "The ladder is flagged. Departures from the owners' rules (a diamond; steps within %(band)s): "
            "%(warnings)s. The reasons follow."
        )
    else:
        message = gettext(
            "The ladder is flagged. Tiers that cannot work as designed: %(errors)s; other departures from the "
            "owners' rules (a diamond; steps within %(band)s): %(warnings)s. The reasons follow."
        )
    return message % values


def rungs_dicts(rungs: Sequence[Rung]) -> list[dict[str, Any]]:
    return [{"name": r.name, "threshold_minor": r.threshold_minor, "discount_bp": r.discount_bp} for r in rungs]


def evaluate(*, spends_minor: Sequence[int], ladder: Sequence[Rung], band_bp: int) -> Evaluation:
    """:raises CandidateLadderInvalid, DesignerNoSpend: as ``ladder_checked`` and ``spends_present``."""
    return ladder_evaluate(spends_minor=spends_present(spends_minor), ladder=ladder_checked(ladder), band_bp=band_bp)


def suggest(*, spends_minor: Sequence[int], template: Sequence[Rung], band_bp: int, paid_share_bp: int) -> Suggestion:
    """:raises SuggestionTierCount: ``template`` has a number of tiers above the base the designer cannot suggest."""
    rungs = ladder_checked(template)
    paid = sum(1 for r in rungs if r.threshold_minor > 0)
    if paid not in SHAPES:
        raise SuggestionTierCount(tiers=paid)
    spends = spends_present(spends_minor)
    return ladder_suggest(spends_minor=spends, template=rungs, band_bp=band_bp, paid_share_bp=paid_share_bp)


def suggestion_dict(suggestion: Suggestion, *, exponent: int) -> dict[str, Any]:
    return {
        "ladder": rungs_dicts(suggestion.ladder),
        "evaluation": evaluation_dict(suggestion.evaluation, exponent=exponent),
        "explanation": [finding_dict(f, exponent=exponent) for f in suggestion.findings],
    }


def comparison_dict(first: Evaluation, second: Evaluation, *, names: tuple[str, str], exponent: int) -> dict[str, Any]:
    """``ladder_compare`` criterion by criterion, and which ladder is better on more of them (none outweighs
    another, so the count is all the preference says)."""
    verdicts = ladder_compare(first, second)
    wins = {side: sum(1 for v in verdicts if v.better == side) for side in ("first", "second")}
    preferred = "same" if wins["first"] == wins["second"] else max(wins, key=lambda side: wins[side])
    return {
        "criteria": [_verdict_dict(v, exponent) for v in verdicts],
        "first_better": wins["first"],
        "second_better": wins["second"],
        "preferred": preferred,
        "summary": _comparison_summary(wins, preferred, names),
    }


# Labels for the criteria whose shown values are not in the engine label's raw units (1/0, basis points, minor).
_SHOWN_LABELS = {
    "diamond": _("The tiers form a diamond"),
    "top_spender_gap_bp": _("How far the lowest tier out of reach lies above the top spender"),
    "discount_cost_minor": _("Discount cost"),
}


def _verdict_dict(verdict: Verdict, exponent: int) -> dict[str, Any]:
    return {
        "code": verdict.code, "label": str(verdict.label), "first": verdict.first, "second": verdict.second,
        "label_shown": str(_SHOWN_LABELS.get(verdict.code, verdict.label)),
        "better": verdict.better, "first_shown": _criterion_shown(verdict.code, verdict.first, exponent),
        "second_shown": _criterion_shown(verdict.code, verdict.second, exponent),
    }  # fmt: skip


def _criterion_shown(code: str, value: int, exponent: int) -> str:
    if code == "diamond":
        return gettext("yes") if value else gettext("no")
    if code.endswith("_minor"):
        return money_shown(value, exponent)
    if code.endswith("_bp"):
        return ("+" if value > 0 else "") + percent_shown(value)
    return f"{value:,}"


def _comparison_summary(wins: dict[str, int], preferred: str, names: tuple[str, str]) -> str:
    values = {"first": names[0], "second": names[1], "first_wins": wins["first"], "second_wins": wins["second"]}
    if preferred == "same":
        return (
            gettext(
                "Neither ladder is preferred: %(first)s is better on %(first_wins)s criteria and %(second)s on "
                "%(second_wins)s."
            )
            % values
        )
    better, worse = ("first", "second") if preferred == "first" else ("second", "first")
    values |= {"better": names[0 if better == "first" else 1], "worse": names[0 if worse == "first" else 1],
               "better_wins": wins[better], "worse_wins": wins[worse]}  # fmt: skip
    return (
        gettext(
            "Preferred: %(better)s, better on %(better_wins)s criteria against %(worse_wins)s for %(worse)s; no "
            "criterion outweighs another."
        )
        % values
    )

# mypy: disallow-untyped-defs, disallow-incomplete-defs, disallow-any-generics, warn-return-any, strict-equality
"""The designer's suggestion of a better ladder, and its comparison of two ladders on the same members.

The suggestion keeps a template ladder's tier names and discounts and chooses new thresholds in three steps,
each deterministic (``docs/tier-designer.md`` works one through):

1. **Quantiles.** ``paid_share_bp`` of the members (half by default) should qualify for a tier. They are shared
   among the tiers, entry tier first, in the proportions of ``SHAPES`` (for three tiers 2 : 3 : 1), a diamond.
   Each threshold is the spend of the member at that place in the ranking, so it is always reachable.
2. **Round numbers.** Each threshold is rounded down to two significant figures (2,347.12 becomes 2,300), unless
   that would make two thresholds meet or lose the diamond the exact quantiles give.
3. **Acceptance band.** Bottom up, each step larger than the band is brought within it, by lowering the upper
   threshold to the edge of the band above the lower one or else raising the lower threshold to the edge of the
   band below the upper one (at two significant figures, at three, or exact, the first that works), whenever the
   ladder stays a diamond and fewer steps are left beyond the band. Repeated until no move helps, so every step
   left beyond the band is one these moves cannot bring within it without losing the diamond.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tessera.tiers.designer import (
    BAND_BP,
    BP,
    Evaluation,
    Figures,
    Finding,
    InvalidLadder,
    Rung,
    Severity,
    TierOutcome,
    ladder_checked,
    ladder_evaluate,
    ratio_bp,
    reach_from_minor,
    round_half_away,
    spends_checked,
    within_band,
)

# Target sizes of the paid tiers, entry tier first: the peak in the middle, the top the narrowest.
SHAPES: dict[int, tuple[int, ...]] = {3: (2, 3, 1), 4: (2, 4, 3, 1), 5: (2, 3, 4, 3, 1), 6: (2, 3, 4, 3, 2, 1)}
PAID_SHARE_BP = 5_000


@dataclass(frozen=True, slots=True)
class Suggestion:
    ladder: tuple[Rung, ...]
    evaluation: Evaluation
    findings: tuple[Finding, ...]  # how the thresholds were placed and each step judged


def ladder_suggest(
    *, spends_minor: Sequence[int], template: Sequence[Rung], band_bp: int = BAND_BP, paid_share_bp: int = PAID_SHARE_BP
) -> Suggestion:
    """Suggest thresholds for ``template``'s tiers above the base (3 to 6 of them; names and discounts kept).

    :raises InvalidLadder: ``template`` is not a valid ladder or has a number of paid tiers ``SHAPES`` lacks.
    :raises InvalidSpend: as ``ladder_evaluate``.
    :raises ValueError: ``paid_share_bp`` not above 0 and at most 10,000, or a negative band.
    """
    if not 0 < paid_share_bp <= BP:
        raise ValueError("the paid share must be above 0 and at most 10000 bp")
    base = [r for r in ladder_checked(template) if r.threshold_minor == 0]
    paid = [r for r in template if r.threshold_minor > 0]
    if len(paid) not in SHAPES:
        raise InvalidLadder(f"the designer suggests 3 to 6 tiers above the base, not {len(paid)}")
    spends = spends_checked(spends_minor)

    def evaluate(thresholds: Sequence[int]) -> Evaluation:
        ladder = base + [Rung(r.name, t, r.discount_bp) for r, t in zip(paid, thresholds, strict=False)]
        return ladder_evaluate(spends_minor=spends, ladder=ladder, band_bp=band_bp)

    raw = _quantile_thresholds(spends, SHAPES[len(paid)], paid_share_bp)
    chosen = _rounded(raw, evaluate)
    if evaluate(chosen).is_diamond:
        chosen = _band_pass(chosen, evaluate, band_bp)
    evaluation = evaluate(chosen)
    ladder = evaluation.tiers[0:1] if base else ()
    rungs = tuple(Rung(t.name, t.threshold_minor, t.discount_bp) for t in (*ladder, *evaluation.paid))
    findings = _explained(evaluation, SHAPES[len(paid)], paid_share_bp, requested=len(paid))
    return Suggestion(ladder=rungs, evaluation=evaluation, findings=tuple(findings))


def _quantile_thresholds(spends: list[int], weights: tuple[int, ...], paid_share_bp: int) -> list[int]:
    """Each tier's threshold: the spend of the last member ranked inside the share meant to reach it.

    Ties and zero spenders can make two thresholds equal or zero; those tiers are dropped, so the ladder may
    have fewer tiers than asked for (said in the findings).
    """
    paid_members = max(1, round_half_away(len(spends) * paid_share_bp, BP))
    thresholds: list[int] = []
    for k in range(len(weights)):
        at_or_above = max(1, round_half_away(paid_members * sum(weights[k:]), sum(weights)))
        value = spends[len(spends) - min(at_or_above, len(spends))]
        if value > 0 and (not thresholds or value > thresholds[-1]):
            thresholds.append(value)
    return thresholds


def nice_down(value: int, figures: int = 2) -> int:
    """``value`` rounded down to ``figures`` significant figures."""
    unit = int(10 ** max(0, len(str(value)) - figures))
    return value // unit * unit


def nice_up(value: int, figures: int = 2) -> int:
    """``value`` rounded up to ``figures`` significant figures."""
    unit = int(10 ** max(0, len(str(value)) - figures))
    return -(-value // unit) * unit


def _rounded(raw: list[int], evaluate: Callable[[Sequence[int]], Evaluation]) -> list[int]:
    nice = [nice_down(t) for t in raw]
    rising = all(a < b for a, b in itertools.pairwise(nice)) and all(t > 0 for t in nice)
    if rising and (evaluate(nice).is_diamond or not evaluate(raw).is_diamond):
        return nice
    return raw


def _steps_beyond(thresholds: Sequence[int], band_bp: int) -> int:
    pairs = itertools.pairwise(thresholds)
    return sum(1 for low, high in pairs if not within_band(ratio_bp(high - low, low), band_bp))


def _band_moves(thresholds: list[int], k: int, band_bp: int) -> list[list[int]]:
    """Ladders in which the step from tier k-1 to tier k is within the band, each moving one threshold to the edge
    of the band: the upper threshold down first, then the lower one up, each at two significant figures, at three,
    then exact."""
    low, high = thresholds[k - 1], thresholds[k]
    highest = low * (BP + band_bp) // BP  # the most the upper threshold may be for the step to be within the band
    lowest = reach_from_minor(high, band_bp)  # the least the lower threshold may be
    moves = []
    for value in dict.fromkeys([nice_down(highest), nice_down(highest, 3), highest]):
        if low < value < high:
            moves.append([*thresholds[:k], value, *thresholds[k + 1 :]])
    for value in dict.fromkeys([nice_up(lowest), nice_up(lowest, 3), lowest]):
        if low < value < high:
            moves.append([*thresholds[: k - 1], value, *thresholds[k:]])
    return moves


def _band_pass(thresholds: list[int], evaluate: Callable[[Sequence[int]], Evaluation], band_bp: int) -> list[int]:
    # Every accepted move leaves fewer steps beyond the band, so the loop ends within one pass per step.
    current = thresholds
    moved = True
    while moved:
        moved = False
        for k in range(1, len(current)):
            beyond = _steps_beyond(current, band_bp)
            for candidate in _band_moves(current, k, band_bp):
                if _steps_beyond(candidate, band_bp) < beyond and evaluate(candidate).is_diamond:
                    current, moved = candidate, True
                    break
    return current


_SHARES = _(
    "The thresholds are placed so that %(paid_share)s of members qualify for a tier, shared among the tiers from "
    "the entry tier up in the proportions %(weights)s, and rounded to two significant figures where that keeps the "
    "shape."
)
_FEWER = _(
    "Members' spend has too few distinct levels above zero for %(requested)s tiers; the suggestion has %(tiers)s."
)
_NOT_DIAMOND = _(
    "These members' spend does not allow a diamond with %(paid_share)s of members above the base; the thresholds "
    "follow the target shares as closely as the spend allows."
)
_TIER = _("%(tier)s from %(threshold)s would hold %(share)s of all members (%(members)s).")
_WITHIN = _(
    "The step from %(below)s to %(tier)s is %(step)s, within the acceptance band of %(band)s: every member of "
    "%(below)s is within one acceptable step of %(tier)s."
)
_BEYOND = _(
    "The step from %(below)s to %(tier)s stays at %(step)s, beyond the acceptance band of %(band)s: moving either "
    "threshold to the edge of the band would break the diamond or push another step beyond the band."
)


def _finding(code: str, severity: Severity, message: object, **figures: int | str) -> Finding:
    return Finding(code=code, severity=severity, figures=figures, message=message)


def _explained(
    evaluation: Evaluation, weights: tuple[int, ...], paid_share_bp: int, *, requested: int
) -> list[Finding]:
    paid = evaluation.paid
    shown_weights = " : ".join(str(w) for w in weights)
    out = [_finding("suggested_shares", Severity.INFO, _SHARES, paid_share_bp=paid_share_bp, weights=shown_weights)]
    if len(paid) < requested:
        out.append(_finding("suggestion_fewer_tiers", Severity.WARNING, _FEWER, requested=requested, tiers=len(paid)))
    if not evaluation.is_diamond:
        out.append(_finding("suggestion_not_diamond", Severity.WARNING, _NOT_DIAMOND, paid_share_bp=paid_share_bp))
    for tier in paid:
        figures: Figures = {"tier": tier.name, "threshold_minor": tier.threshold_minor, "members": tier.members}
        out.append(_finding("suggested_tier", Severity.INFO, _TIER, **figures, share_bp=tier.share_bp))
    if evaluation.is_diamond:  # the band pass ran only on a diamond, so only then is each step's verdict known
        out += _steps_explained(paid, evaluation.band_bp)
    return out


def _steps_explained(paid: Sequence[TierOutcome], band_bp: int) -> list[Finding]:
    out = []
    for below, tier in itertools.pairwise(paid):
        if tier.step_bp is not None:
            within = within_band(tier.step_bp, band_bp)
            code = "suggested_step_within_band" if within else "suggested_step_beyond_band"
            figures: Figures = {"below": below.name, "tier": tier.name, "step_bp": tier.step_bp, "band_bp": band_bp}
            out.append(_finding(code, Severity.INFO, _WITHIN if within else _BEYOND, **figures))
    return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """One criterion of ``ladder_compare``: the two ladders' figures and which is better on it."""

    code: str
    label: object  # a gettext_lazy string
    first: int
    second: int
    better: str  # "first", "second" or "same"


_CRITERIA: tuple[tuple[str, object, int], ...] = (  # code, label, +1 if more is better or -1 if less is
    ("diamond", _("The tiers form a diamond (1 yes, 0 no)"), 1),
    ("tiers_unreachable", _("Tiers nobody can reach"), -1),
    ("tiers_empty", _("Reachable tiers nobody would hold"), -1),
    ("steps_beyond_band", _("Steps beyond the acceptance band"), -1),
    ("top_spender_gap_bp", _("How far the lowest tier out of reach lies above the top spender (basis points)"), -1),
    ("members_within_reach", _("Members within one acceptable step of their next tier"), 1),
    ("discount_cost_minor", _("Discount cost (minor units)"), -1),
)


def ladder_compare(first: Evaluation, second: Evaluation) -> tuple[Verdict, ...]:
    """Judge two ladders evaluated on the same members, criterion by criterion; no criterion outweighs another.

    :raises ValueError: the evaluations are of different members (count or maximum spend differ).
    """
    if (first.member_count, first.max_spend_minor) != (second.member_count, second.max_spend_minor):
        raise ValueError("compare ladders evaluated on the same members")
    a, b = _figures(first), _figures(second)
    verdicts = []
    for code, label, direction in _CRITERIA:
        if code in a:
            better = "same" if a[code] == b[code] else ("first" if (a[code] - b[code]) * direction > 0 else "second")
            verdicts.append(Verdict(code=code, label=label, first=a[code], second=b[code], better=better))
    return tuple(verdicts)


def _figures(evaluation: Evaluation) -> dict[str, int]:
    codes = evaluation.codes()
    figures = {
        "diamond": int(evaluation.is_diamond),
        "tiers_unreachable": codes.count("tier_unreachable"),
        "tiers_empty": codes.count("tier_empty"),
        "steps_beyond_band": codes.count("step_beyond_band"),
        "members_within_reach": sum(t.within_reach for t in evaluation.paid),
        "discount_cost_minor": evaluation.discount_cost_minor,
    }
    top = evaluation.max_spend_minor
    if top > 0:  # with nobody spending, no tier is nearer than another
        out_of_reach = [t.threshold_minor for t in evaluation.paid if not t.reachable]
        figures["top_spender_gap_bp"] = ratio_bp(out_of_reach[0] - top, top) if out_of_reach else 0
    return figures

# mypy: disallow-untyped-defs, disallow-incomplete-defs, disallow-any-generics, warn-return-any, strict-equality
"""The tier ladder designer: how a candidate ladder would sort a programme's real members, and what is wrong with it.

Pure functions over plain values, so the console, the API and a CSV upload can all call them: spend is a sequence
of integers, one per member (zero spenders included), in minor units of the programme's currency; a ladder is a
sequence of ``Rung`` values. Every ratio is an integer in basis points (10,000 bp = 100%); there are no floats.

Tiers follow ``tessera.tiers.rules.LadderRule``: rank 0 is the base tier every member holds without qualifying,
and a member holds the highest rank whose threshold their spend meets (spend >= threshold). A ladder may name its
base tier with a rung at threshold 0; otherwise the members below the first threshold form an unnamed base tier.
The tiers above the base are the *paid* tiers: the ones a member earns.

The rules (``docs/tier-designer.md`` gives the reasons and the seed passages they come from):

- **Reach.** A tier whose threshold is above the most any member spends is unreachable. A reachable tier that
  nobody holds (everyone who reaches it also reaches the next) is empty.
- **Acceptance band.** A member will try for a level about 20% (``band_bp``) above their own. A member is
  within one acceptable step of a threshold when ``spend * (1 + band) >= threshold``. Each tier counts the
  members whose next threshold it is and who are within that step of it (``within_reach``); a step from one
  threshold to the next larger than the band means members who have just reached the lower tier cannot see
  the higher one. (A step up from a tier nobody can reach is not judged: nobody has just reached it.)
- **Diamond.** The paid tiers' member counts form a diamond when there are at least three paid tiers, every one
  of them is held, some tier above the entry tier holds more members than the entry tier, the counts rise to
  a single peak and fall after it (no tier holds fewer members than both a tier below it and a tier above it),
  and the top tier holds no more members than the entry tier. The peak is then a middle tier and the top the
  narrowest tier.
- **Discount cost.** Per tier, its members' spend times the tier's discount, rounded half away from zero to a
  minor unit. Spend is taken as list price; figures net of today's discounts understate the cost.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

BP = 10_000
BAND_BP = 2_000  # the seed's "about 20%"

Figures = dict[str, int | str]


class InvalidLadder(ValueError):
    """Thresholds not rising, a negative threshold, or a discount outside 0 to 10,000 bp."""


class InvalidSpend(ValueError):
    """No members, or a member's spend below zero (a caller nets returns and counts a net refund as zero)."""


class Severity(StrEnum):
    ERROR = "error"  # the tier cannot work as designed
    WARNING = "warning"  # the ladder departs from the owners' rules
    INFO = "info"  # an explanation


@dataclass(frozen=True, slots=True)
class Rung:
    name: str
    threshold_minor: int
    discount_bp: int = 0


@dataclass(frozen=True)
class Finding:
    """One observation with a stable ``code`` and its ``figures``: money in minor units (keys ending ``_minor``),
    ratios in basis points (``_bp``), counts and tier names. ``message`` is translatable; its placeholders are the
    figure keys without their unit suffix, filled in by ``text``."""

    code: str
    severity: Severity
    figures: Figures
    message: object = field(compare=False, repr=False)  # a gettext_lazy string

    def text(self, *, exponent: int = 2) -> str:
        """The message in the active language; ``exponent`` is the currency's (``kit.money.currency_exponent``)."""
        values = {_placeholder(key): _shown(key, value, exponent) for key, value in self.figures.items()}
        return str(self.message) % values


@dataclass(frozen=True, slots=True)
class TierOutcome:
    rank: int
    name: str
    threshold_minor: int
    discount_bp: int
    members: int
    share_bp: int  # of all members
    spend_minor: int  # its members' spend
    discount_cost_minor: int
    reachable: bool  # someone spends at least the threshold
    within_reach: int  # members below it, whose next threshold this is, within one acceptable step of it
    step_bp: int | None  # threshold over the one below it, less one; None for the base and the entry tier


@dataclass(frozen=True, slots=True)
class Evaluation:
    member_count: int
    max_spend_minor: int
    band_bp: int
    tiers: tuple[TierOutcome, ...]  # rank 0, the base tier, first
    is_diamond: bool
    findings: tuple[Finding, ...]

    @property
    def paid(self) -> tuple[TierOutcome, ...]:
        return self.tiers[1:]

    @property
    def discount_cost_minor(self) -> int:
        return sum(t.discount_cost_minor for t in self.tiers)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


def round_half_away(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` to the nearest integer, halves away from zero; ``denominator`` > 0."""
    quotient = (2 * abs(numerator) + denominator) // (2 * denominator)
    return quotient if numerator >= 0 else -quotient


def ratio_bp(numerator: int, denominator: int) -> int:
    return round_half_away(numerator * BP, denominator)


def reach_from_minor(threshold_minor: int, band_bp: int) -> int:
    """The least spend within one acceptable step of ``threshold_minor``: ceil(threshold / (1 + band))."""
    return -(-threshold_minor * BP // (BP + band_bp))


def within_band(step_bp: int | None, band_bp: int) -> bool:
    return step_bp is None or step_bp <= band_bp


def ladder_evaluate(*, spends_minor: Sequence[int], ladder: Sequence[Rung], band_bp: int = BAND_BP) -> Evaluation:
    """Project ``spends_minor`` (one per member) onto ``ladder`` and list what the owners' rules find.

    :raises InvalidSpend: no members, or a spend below zero.
    :raises InvalidLadder: thresholds not rising from a non-negative first one, or a discount out of range.
    :raises ValueError: a negative acceptance band.
    """
    if band_bp < 0:
        raise ValueError("the acceptance band cannot be negative")
    spends = spends_checked(spends_minor)
    rungs = _with_base(ladder_checked(ladder))
    tiers = tuple(_outcome(spends, rungs, rank, band_bp) for rank in range(len(rungs)))
    shape = diamond_findings(tiers[1:])
    findings = _reach_findings(tiers, spends[-1], band_bp) + _step_findings(tiers, band_bp) + shape
    return Evaluation(
        member_count=len(spends),
        max_spend_minor=spends[-1],
        band_bp=band_bp,
        tiers=tiers,
        is_diamond=[f.code for f in shape] == ["shape_diamond"],
        findings=tuple(findings),
    )


def spends_checked(spends_minor: Sequence[int]) -> list[int]:
    """The spends in ascending order.

    :raises InvalidSpend: no members, or a spend below zero.
    """
    if not spends_minor:
        raise InvalidSpend("there are no members")
    spends = sorted(spends_minor)
    if spends[0] < 0:
        raise InvalidSpend(f"spend must not be negative (found {spends[0]})")
    return spends


def ladder_checked(ladder: Sequence[Rung]) -> list[Rung]:
    for rung in ladder:
        if not 0 <= rung.discount_bp <= BP:
            raise InvalidLadder(f"tier {rung.name!r}: discount must be 0 to 10000 bp")
    if ladder and ladder[0].threshold_minor < 0:
        raise InvalidLadder("thresholds must not be negative")
    for below, rung in itertools.pairwise(ladder):
        if rung.threshold_minor <= below.threshold_minor:
            raise InvalidLadder(f"tier {rung.name!r}: thresholds must rise from each tier to the next")
    return list(ladder)


def _with_base(rungs: list[Rung]) -> list[Rung]:
    if rungs and rungs[0].threshold_minor == 0:
        return rungs
    return [Rung(name="", threshold_minor=0), *rungs]


def _outcome(spends: list[int], rungs: list[Rung], rank: int, band_bp: int) -> TierOutcome:
    rung = rungs[rank]
    start = bisect.bisect_left(spends, rung.threshold_minor)
    end = bisect.bisect_left(spends, rungs[rank + 1].threshold_minor) if rank + 1 < len(rungs) else len(spends)
    spend_minor = sum(spends[start:end])
    within_reach, step_bp = 0, None
    if rank > 0:
        below = rungs[rank - 1].threshold_minor
        reach_from = max(reach_from_minor(rung.threshold_minor, band_bp), below)
        within_reach = start - bisect.bisect_left(spends, reach_from)
        step_bp = ratio_bp(rung.threshold_minor - below, below) if rank > 1 else None
    return TierOutcome(
        rank=rank,
        name=rung.name,
        threshold_minor=rung.threshold_minor,
        discount_bp=rung.discount_bp,
        members=end - start,
        share_bp=ratio_bp(end - start, len(spends)),
        spend_minor=spend_minor,
        discount_cost_minor=round_half_away(spend_minor * rung.discount_bp, BP),
        reachable=start < len(spends),
        within_reach=within_reach,
        step_bp=step_bp,
    )


def _finding(code: str, severity: Severity, message: object, **figures: int | str) -> Finding:
    return Finding(code=code, severity=severity, figures=figures, message=message)


_UNREACHABLE = _(
    "Nobody can reach %(tier)s: its threshold of %(threshold)s is %(above_max)s above the most any member spent "
    "(%(max_spend)s)."
)
_UNREACHABLE_NO_SPEND = _("Nobody can reach %(tier)s: no member spent anything in the period.")
_EMPTY = _("No member would hold %(tier)s: everyone who reaches %(threshold)s also reaches %(next_tier)s.")
_NOBODY_WITHIN_REACH = _(
    "No member below %(tier)s spends within the acceptance band of its threshold (from %(reach_from)s up to "
    "%(threshold)s), so nobody is close enough to try for it."
)
_STEP_BEYOND_BAND = _(
    "A member who has just reached %(below)s must spend %(step)s more to reach %(tier)s, beyond the acceptance "
    "band of %(band)s. Members of %(below)s within one acceptable step of %(tier)s: %(within_reach)s of "
    "%(below_members)s."
)


def _reach_findings(tiers: Sequence[TierOutcome], max_spend: int, band_bp: int) -> list[Finding]:
    findings = []
    for tier in tiers[1:]:
        figures: Figures = {"tier": tier.name, "threshold_minor": tier.threshold_minor}
        if not tier.reachable:
            findings.append(_unreachable(figures, tier.threshold_minor, max_spend))
        elif tier.members == 0:
            next_tier = tiers[tier.rank + 1].name
            findings.append(_finding("tier_empty", Severity.ERROR, _EMPTY, **figures, next_tier=next_tier))
        if tier.reachable and tier.within_reach == 0:
            reach_from = reach_from_minor(tier.threshold_minor, band_bp)
            code, message = "tier_nobody_within_reach", _NOBODY_WITHIN_REACH
            findings.append(_finding(code, Severity.WARNING, message, **figures, reach_from_minor=reach_from))
    return findings


def _unreachable(figures: Figures, threshold: int, max_spend: int) -> Finding:
    if max_spend == 0:
        return _finding("tier_unreachable", Severity.ERROR, _UNREACHABLE_NO_SPEND, **figures, max_spend_minor=0)
    above_max = ratio_bp(threshold - max_spend, max_spend)
    return _finding(
        "tier_unreachable", Severity.ERROR, _UNREACHABLE, **figures, max_spend_minor=max_spend, above_max_bp=above_max
    )


def _step_findings(tiers: Sequence[TierOutcome], band_bp: int) -> list[Finding]:
    findings = []
    for below, tier in itertools.pairwise(tiers):
        if below.reachable and tier.step_bp is not None and not within_band(tier.step_bp, band_bp):
            figures: Figures = {"tier": tier.name, "below": below.name, "step_bp": tier.step_bp, "band_bp": band_bp}
            counts: Figures = {"within_reach": tier.within_reach, "below_members": below.members}
            findings.append(_finding("step_beyond_band", Severity.WARNING, _STEP_BEYOND_BAND, **figures, **counts))
    return findings


_TOO_FEW = _("Not a diamond: a diamond needs at least three tiers above the base, and this ladder has %(paid_tiers)s.")
_EMPTY_TIERS = _("Not a diamond: %(empty_tiers)s of the %(paid_tiers)s tiers above the base would hold no member.")
_ENTRY_LARGEST = _(
    "Not a diamond: the entry tier %(tier)s would hold %(share)s of all members (%(members)s), as many as or more "
    "than any tier above it; a diamond is widest in the middle."
)
_VALLEY = _(
    "Not a diamond: %(tier)s would hold %(share)s of all members (%(members)s), fewer than a tier below it and a "
    "tier above it, so the shape has more than one peak."
)
_TOP_WIDER = _(
    "Not a diamond: the top tier %(tier)s would hold more members (%(members)s) than the entry tier %(entry)s "
    "(%(entry_members)s); a diamond narrows to a point at the top."
)
_DIAMOND = _(
    "The tiers form a diamond: %(tier)s is the largest, with %(share)s of all members (%(members)s); the shape has "
    "one peak, and the top tier %(top)s is the narrowest."
)


def diamond_findings(paid: Sequence[TierOutcome]) -> list[Finding]:
    """Why ``paid`` (the tiers above the base, entry tier first) is or is not a diamond; see the module rules."""
    if len(paid) < 3:
        return [_finding("shape_too_few_tiers", Severity.WARNING, _TOO_FEW, paid_tiers=len(paid))]
    counts = [t.members for t in paid]
    entry, top, peak = paid[0], paid[-1], paid[counts.index(max(counts))]
    found: list[tuple[str, object, Figures]] = []
    if empty := counts.count(0):
        found.append(("shape_empty_tiers", _EMPTY_TIERS, {"empty_tiers": empty, "paid_tiers": len(paid)}))
    if entry.members >= peak.members:
        found.append(("shape_entry_largest", _ENTRY_LARGEST, _sized(entry)))
    for k in range(1, len(paid) - 1):
        if counts[k] < max(counts[:k]) and counts[k] < max(counts[k + 1 :]):
            found.append(("shape_valley", _VALLEY, _sized(paid[k])))
    if top.members > entry.members:
        entry_figures: Figures = {"entry": entry.name, "entry_members": entry.members}
        found.append(("shape_top_wider_than_entry", _TOP_WIDER, {**_sized(top), **entry_figures}))
    if not found:
        found.append(("shape_diamond", _DIAMOND, {**_sized(peak), "top": top.name}))
    severity = Severity.WARNING if found[0][0] != "shape_diamond" else Severity.INFO
    return [_finding(code, severity, message, **figures) for code, message, figures in found]


def _sized(tier: TierOutcome) -> Figures:
    return {"tier": tier.name, "members": tier.members, "share_bp": tier.share_bp}


def _placeholder(key: str) -> str:
    return key.removesuffix("_minor").removesuffix("_bp")


def _shown(key: str, value: int | str, exponent: int) -> str:
    if isinstance(value, str):
        return value
    if key.endswith("_minor"):
        return money_shown(value, exponent)
    if key.endswith("_bp"):
        return percent_shown(value)
    return f"{value:,}"


def money_shown(amount_minor: int, exponent: int) -> str:
    """Minor units as a plain number of major units: 400000 with exponent 2 is "4,000", 63540 is "635.40"."""
    major, minor = divmod(abs(amount_minor), 10**exponent)
    sign = "-" if amount_minor < 0 else ""
    return f"{sign}{major:,}" + (f".{minor:0{exponent}d}" if minor else "")


def percent_shown(value_bp: int) -> str:
    """Basis points as a percentage: 2000 is "20%", 1250 is "12.5%"."""
    whole, hundredths = divmod(abs(value_bp), 100)
    sign = "-" if value_bp < 0 else ""
    return f"{sign}{whole:,}" + (f".{hundredths:02d}".rstrip("0") if hundredths else "") + "%"

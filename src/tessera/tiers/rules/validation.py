"""What makes a ladder valid, as translated sentences; shared by the admin forms, model clean() and the loader.

Each check returns a list of problems in the active language (empty when valid), so a form can show them all at
once and the loader can join them into one coded error.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tessera.tiers.rules import Combine, Downgrade, Measure, WindowKind
from tessera.tiers.rules.windows import min_window_days

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
DISCOUNT_BP_MAX = 10_000


@dataclass(frozen=True, slots=True)
class LadderSettings:
    measure: str
    second_measure: str | None
    combine: str | None
    window: str
    window_months: int | None
    downgrade: str
    grace_days: int


@dataclass(frozen=True, slots=True)
class TierTerms:
    code: str
    threshold: int
    second_threshold: int | None
    discount_bp: int
    multiplier_permille: int
    excluded_categories: object = ()


def settings_problems(s: LadderSettings) -> list[str]:
    problems = []
    if s.measure not in Measure.values:
        problems.append(_("“%(value)s” is not a qualifying measure.") % {"value": s.measure})
    problems += _combination_problems(s)
    if s.window not in WindowKind.values:
        problems.append(_("“%(value)s” is not a kind of window.") % {"value": s.window})
    elif s.window == WindowKind.ROLLING_MONTHS and (s.window_months is None or s.window_months < 1):
        problems.append(_("A rolling window needs its length: a number of months, 1 or more."))
    elif s.window != WindowKind.ROLLING_MONTHS and s.window_months is not None:
        problems.append(_("Only a rolling window takes a number of months."))
    if s.downgrade not in Downgrade.values:
        problems.append(_("“%(value)s” is not a downgrade policy.") % {"value": s.downgrade})
    if not problems:
        problems += _grace_problems(s)
    return problems


def _combination_problems(s: LadderSettings) -> list[str]:
    if s.second_measure is None:
        return [_("A combination needs a second measure.")] if s.combine else []
    if s.second_measure not in Measure.values:
        return [_("“%(value)s” is not a qualifying measure.") % {"value": s.second_measure}]
    if s.second_measure == s.measure:
        return [_("The second measure must differ from the first.")]
    if s.combine not in Combine.values:
        return [_("Say how the two measures combine: “and” (both) or “or” (either).")]
    return []


def _grace_problems(s: LadderSettings) -> list[str]:
    if s.grace_days < 0:
        return [_("The grace period cannot be negative.")]
    if s.grace_days and s.window == WindowKind.LIFETIME:
        return [_("A lifetime window never ends, so it has no grace period.")]
    shortest = min_window_days(s.window, s.window_months)
    if shortest is not None and s.grace_days >= shortest:
        return [_("The grace period must be shorter than the shortest window (%(days)s days).") % {"days": shortest}]
    return []


def tier_problems(t: TierTerms, *, has_second: bool | None) -> list[str]:
    """Checks on one tier by itself; ``has_second`` None (ladder not known yet) skips the second threshold."""
    problems = []
    if not CODE_PATTERN.match(t.code or ""):
        problems.append(_("Tier code “%(code)s”: use 1 to 32 letters, digits, “-” or “_”.") % {"code": t.code})
    if t.threshold < 0:
        problems.append(_("Tier %(code)s: the threshold cannot be negative.") % {"code": t.code})
    if has_second is True and t.second_threshold is None:
        problems.append(_("Tier %(code)s: give a threshold for the second measure too.") % {"code": t.code})
    if has_second is True and t.second_threshold is not None and t.second_threshold < 0:
        problems.append(_("Tier %(code)s: the second threshold cannot be negative.") % {"code": t.code})
    if has_second is False and t.second_threshold is not None:
        problems.append(
            _("Tier %(code)s: the ladder has no second measure to give a threshold for.") % {"code": t.code}
        )
    if not 0 <= t.discount_bp <= DISCOUNT_BP_MAX:
        problems.append(
            _("Tier %(code)s: the discount must be 0 to 10000 basis points (0 to 100 per cent).") % {"code": t.code}
        )
    if t.multiplier_permille <= 0:
        problems.append(
            _("Tier %(code)s: the points multiplier must be more than zero (1000 per mille earns ×1).")
            % {"code": t.code}
        )
    categories = t.excluded_categories
    if not isinstance(categories, list | tuple) or not all(isinstance(c, str) and c.strip() for c in categories):
        problems.append(_("Tier %(code)s: excluded categories must be a list of category names.") % {"code": t.code})
    return problems


def ladder_problems(tiers: Sequence[TierTerms], *, has_second: bool) -> list[str]:
    """Checks across the tiers, listed from the base tier (rank 0) up."""
    if not tiers:
        return [_("A ladder needs at least its base tier.")]
    problems = [p for t in tiers for p in tier_problems(t, has_second=has_second)]
    base = tiers[0]
    if base.threshold != 0 or (has_second and base.second_threshold not in (0, None)):
        problems.append(
            _("The base tier %(code)s must need nothing (threshold 0): members can never fall below the base tier.")
            % {"code": base.code}
        )
    problems += _order_problems(tiers, second=False)
    if has_second:
        problems += _order_problems(tiers, second=True)
    codes = [t.code for t in tiers]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(_("Tier code %(code)s is used more than once.") % {"code": code})
    return problems


def _order_problems(tiers: Sequence[TierTerms], *, second: bool) -> list[str]:
    problems = []
    for below, tier in itertools.pairwise(tiers):
        need, under = (tier.second_threshold, below.second_threshold) if second else (tier.threshold, below.threshold)
        if need is not None and under is not None and need <= under:
            message = (
                _("Tier %(code)s needs %(value)s of the second measure, not more than %(below_code)s below it "
                  "(%(below)s): thresholds must rise from each tier to the next.")
                if second
                else _("Tier %(code)s needs %(value)s, not more than %(below_code)s below it (%(below)s): "
                       "thresholds must rise from each tier to the next.")
            )  # fmt: skip
            problems.append(message % {"code": tier.code, "value": need, "below_code": below.code, "below": under})
    return problems


def rank_problems(ranks: Sequence[int]) -> list[str]:
    """Ranks must run 0, 1, 2 ... with no gap, so that rank 0 is the base tier and each step is one tier up."""
    if sorted(ranks) != list(range(len(ranks))):
        return [_("Ranks must run 0, 1, 2 and so on without gaps or repeats; 0 is the base tier.")]
    return []

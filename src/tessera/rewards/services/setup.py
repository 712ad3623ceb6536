"""Setting up a gift ladder with its steps and their names in every language, in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from tessera.kit.db import assert_in_transaction, use_case
from tessera.programs.models import Program
from tessera.rewards.errors import GiftLadderInvalid
from tessera.rewards.models import LANGUAGES, GiftLadder, GiftStep, GiftStepTranslation


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step: ``threshold_points`` in a month unlock a cash coupon of ``amount_minor`` for ``categories``."""

    threshold_points: int
    amount_minor: int
    categories: Sequence[str]
    names: Mapping[str, str] = field(default_factory=dict)  # language code -> name shown to members
    usable_at_once: bool = True
    valid_days: int | None = None


def gift_ladder_create(
    *,
    program: Program,
    name: str,
    steps: Sequence[StepSpec],
    active_from: date,
    active_to: date | None = None,
    claim_policy: str = GiftLadder.ClaimPolicy.END_OF_NEXT_MONTH,
    claim_days: int | None = None,
) -> GiftLadder:
    """Create a ladder and its steps.

    :raises GiftLadderInvalid: no steps, two steps with one threshold, a claim window or active dates without
        an end or out of order, a value or threshold not above zero, or a name in an unknown language.
    """
    with use_case():
        return gift_ladder_write(program=program, name=name, steps=steps, active_from=active_from,
                                 active_to=active_to, claim_policy=claim_policy, claim_days=claim_days)  # fmt: skip


def gift_ladder_write(
    *,
    program: Program,
    name: str,
    steps: Sequence[StepSpec],
    active_from: date,
    active_to: date | None = None,
    claim_policy: str = GiftLadder.ClaimPolicy.END_OF_NEXT_MONTH,
    claim_days: int | None = None,
) -> GiftLadder:
    """gift_ladder_create inside the caller's transaction (a programme template sets several things at once).

    :raises GiftLadderInvalid: as gift_ladder_create.
    """
    assert_in_transaction()
    if not steps:
        raise GiftLadderInvalid(reason=_("a ladder needs at least one step"))
    thresholds = [s.threshold_points for s in steps]
    if len(set(thresholds)) != len(thresholds):
        raise GiftLadderInvalid(reason=_("two steps need the same number of points"))
    ladder = GiftLadder(program=program, name=name, claim_policy=claim_policy, claim_days=claim_days,
                        active_from=active_from, active_to=active_to)  # fmt: skip
    _clean(ladder, exclude=None)
    ladder.save()
    for spec in sorted(steps, key=lambda s: s.threshold_points):
        _step_create(ladder, spec)
    return ladder


def _step_create(ladder: GiftLadder, spec: StepSpec) -> GiftStep:
    step = GiftStep(ladder=ladder, threshold_points=spec.threshold_points, amount_minor=spec.amount_minor,
                    categories=list(spec.categories), usable_at_once=spec.usable_at_once,
                    valid_days=spec.valid_days)  # fmt: skip
    _clean(step, exclude=None)
    step.save()
    for language, text in spec.names.items():
        if language not in LANGUAGES:
            raise GiftLadderInvalid(reason=_("%(code)s is not a supported language") % {"code": language})
        translation = GiftStepTranslation(step=step, language_code=language, name=text.strip())
        _clean(translation, exclude=["step"])
        translation.save()
    return step


def _clean(instance: models.Model, *, exclude: list[str] | None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise GiftLadderInvalid(reason="; ".join(_problems(instance, exc))) from exc


def _problems(instance: models.Model, exc: ValidationError) -> list[str]:
    # Name the field with each problem: "This field cannot be blank." alone does not say which one.
    problems = []
    for name, messages in exc.message_dict.items():
        for message in messages:
            if name == NON_FIELD_ERRORS:
                problems.append(message)
            else:
                label = getattr(instance._meta.get_field(name), "verbose_name", name)
                problems.append(_("%(field)s: %(problem)s") % {"field": label, "problem": message})
    return problems

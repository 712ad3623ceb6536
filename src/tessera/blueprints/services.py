"""Applying a programme template: all of it in one transaction, or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from tessera.audit.services import audit_record
from tessera.blueprints.catalogue import BLUEPRINTS, Spec
from tessera.blueprints.errors import BlueprintInvalid, BlueprintUnknown
from tessera.earning.rules import BirthdayScope, MatchOn, Rule, RuleKind
from tessera.earning.services import earning_rule_write
from tessera.kit.actor import Actor
from tessera.kit.db import use_case
from tessera.kit.money import currency_exponent
from tessera.members.lifecycle import program_local_date
from tessera.programs.models import Program
from tessera.programs.services import program_settings_write
from tessera.rewards.models import GiftLadder
from tessera.rewards.services.setup import StepSpec, gift_ladder_write
from tessera.tiers.services.ladder import tier_ladder_write

_RULE_FIELDS = {f.name for f in fields(Rule)}
_STEP_FIELDS = {f.name for f in fields(StepSpec)}


@dataclass(frozen=True, slots=True)
class Applied:
    """What a template wrote, for the caller's answer."""

    code: str
    settings: list[str]
    tier_ladder_id: int | None
    earning_rules: list[str]
    gift_ladder_ids: list[int]


def blueprint_apply(*, program: Program, code: str, actor: Actor, now: datetime) -> Applied:
    """Set ``program`` up as the template ``code`` describes, in the programme's currency, in one transaction.

    Everything is checked by the services that own it (settings, tier ladder, earning rules, gift ladders); the
    first refusal rolls all of it back. Applying a template that brings a tier ladder to a programme that has an
    active one is refused, and so is an earning rule whose code the programme already uses.

    :raises BlueprintUnknown: no template has that code.
    :raises ProgramSetupInvalid, TierLadderInvalid, TierLadderActiveExists, EarningRuleInvalid,
        MultiplierNotPositive, GiftLadderInvalid, ProgramNotServed: as the services that own those settings.
    """
    blueprint = BLUEPRINTS.get(code)
    if blueprint is None:
        raise BlueprintUnknown(code=code)
    spec = blueprint.build(10 ** currency_exponent(program.currency))
    with use_case():
        applied = _write(program, code, spec, actor=actor, now=now)
        audit_record(actor=actor, action="program.blueprint_apply", object_type="program", object_id=program.public_id,
                     now=now, details={"blueprint": code, "settings": applied.settings,
                                       "earning_rules": applied.earning_rules})  # fmt: skip
    return applied


def _write(program: Program, code: str, spec: Spec, *, actor: Actor, now: datetime) -> Applied:
    if spec.settings:
        program = program_settings_write(program=program, changes=dict(spec.settings), actor=actor, now=now)
    ladder = tier_ladder_write(program=program, spec=spec.tier_ladder) if spec.tier_ladder else None
    rules = [earning_rule_write(program=program, rule=rule_from(r), actor=actor, now=now) for r in spec.earning_rules]
    # A gift ladder counts from the day it is applied: points earned earlier this month were not recorded for it.
    today = program_local_date(program, now)
    gifts = [_gift_ladder(program, raw, today) for raw in spec.gift_ladders]
    return Applied(code, sorted(spec.settings), ladder.id if ladder else None, [r.code for r in rules],
                   [g.id for g in gifts])  # fmt: skip


def _gift_ladder(program: Program, raw: Mapping[str, Any], today: date) -> GiftLadder:
    return gift_ladder_write(program=program, name=raw["name"], steps=[step_from(s) for s in raw["steps"]],
                             active_from=today, claim_policy=raw.get("claim_policy", "end_of_next_month"),
                             claim_days=raw.get("claim_days"))  # fmt: skip


def rule_from(raw: Mapping[str, Any]) -> Rule:
    """An earning rule from its plain description (templates and the API), refusing unknown fields and kinds.

    :raises BlueprintInvalid: an unknown field, kind, birthday scope or match.
    """
    unknown = sorted(set(raw) - _RULE_FIELDS)
    if unknown:
        raise BlueprintInvalid(reason=_("unknown earning rule fields: %(names)s") % {"names": ", ".join(unknown)})
    values = dict(raw)
    try:
        values["kind"] = RuleKind(str(values.get("kind", "")))
        if values.get("birthday_scope"):
            values["birthday_scope"] = BirthdayScope(values["birthday_scope"])
        if values.get("match_on"):
            values["match_on"] = MatchOn(values["match_on"])
    except ValueError as exc:
        raise BlueprintInvalid(reason=str(exc)) from exc
    return Rule(**values)


def step_from(raw: Mapping[str, Any]) -> StepSpec:
    """A gift ladder step from its plain description. :raises BlueprintInvalid: an unknown field."""
    unknown = sorted(set(raw) - _STEP_FIELDS)
    if unknown:
        raise BlueprintInvalid(reason=_("unknown gift step fields: %(names)s") % {"names": ", ".join(unknown)})
    return StepSpec(**raw)

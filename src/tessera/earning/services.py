"""Configuring earning rules: create one, or end one from a date. Each call is audited."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError

from tessera.audit.services import audit_record
from tessera.earning.errors import EarningRuleInvalid
from tessera.earning.models import EarningRule
from tessera.earning.rules import Rule
from tessera.kit.actor import Actor
from tessera.kit.db import assert_in_transaction, use_case
from tessera.members.errors import ProgramNotServed
from tessera.programs.models import Program
from tessera.programs.selectors import program_serves_merchant


def earning_rule_create(*, program: Program, rule: Rule, actor: Actor, now: datetime) -> EarningRule:
    """Add ``rule`` to ``program``; it applies to sales from ``rule.active_from`` (empty: at once).

    :raises ProgramNotServed: the actor's merchant does not serve the programme.
    :raises MultiplierNotPositive: a multiplier of zero or below.
    :raises EarningRuleInvalid: any other bad setting, or a code the programme already uses.
    """
    with use_case():
        return earning_rule_write(program=program, rule=rule, actor=actor, now=now)


def earning_rule_write(*, program: Program, rule: Rule, actor: Actor, now: datetime) -> EarningRule:
    """earning_rule_create inside the caller's transaction (a programme template adds several rules at once).

    :raises ProgramNotServed, MultiplierNotPositive, EarningRuleInvalid: as earning_rule_create.
    """
    assert_in_transaction()
    _program_check(program, actor)
    row = EarningRule(program=program, created_at=now, **_columns(rule))
    _validate(row)
    row.save()
    _audit(actor, "earning.rule_create", row, now, details=_columns(rule, as_text=True))
    return row


def earning_rule_end(*, rule: EarningRule, active_to: date, actor: Actor, now: datetime) -> EarningRule:
    """Stop ``rule`` applying from ``active_to`` (exclusive): sales on that local day no longer use it.

    :raises ProgramNotServed: the actor's merchant does not serve the rule's programme.
    :raises EarningRuleInvalid: ``active_to`` is not after the rule's start.
    """
    _program_check(rule.program, actor)
    rule.active_to = active_to
    _validate(rule)
    with use_case():
        EarningRule.objects.filter(pk=rule.pk).update(active_to=active_to)
        _audit(actor, "earning.rule_end", rule, now, details={"active_to": active_to.isoformat()})
    return rule


def _program_check(program: Program, actor: Actor) -> None:
    if not program_serves_merchant(program_id=program.id, merchant_id=actor.merchant_id):
        raise ProgramNotServed


def _validate(row: EarningRule) -> None:
    # The rule's own check first, so a bad multiplier gets its own code; then Django's (code format, uniqueness).
    if (problem := row.problem()) is not None:
        raise problem
    try:
        row.full_clean()
    except ValidationError as exc:
        raise EarningRuleInvalid(reason="; ".join(exc.messages)) from exc


def _columns(rule: Rule, *, as_text: bool = False) -> dict[str, object]:
    columns: dict[str, object] = {
        "code": rule.code, "kind": str(rule.kind), "factor_permille": rule.factor_permille, "weekday": rule.weekday,
        "day_of_month": rule.day_of_month, "birthday_scope": str(rule.birthday_scope or ""),
        "match_on": str(rule.match_on or ""), "match_value": rule.match_value, "cap_points": rule.cap_points,
        "active_from": rule.active_from, "active_to": rule.active_to,
    }  # fmt: skip
    if as_text:
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in columns.items() if v not in (None, "")}
    return columns


def _audit(actor: Actor, action: str, row: EarningRule, now: datetime, *, details: dict[str, object]) -> None:
    audit_record(actor=actor, action=action, object_type="earning_rule", object_id=f"{row.program_id}/{row.code}",
                 now=now, details=details)  # fmt: skip

"""Headquarters API for setting a programme up: templates, tier ladders, earning rules and gift ladders.

Each write goes through the service that owns it, so a bad ladder or rule is refused with the same translated
reasons as in the admin, and nothing is saved.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from tessera.access.api import STAFF_AUTH
from tessera.api.hq.programs import program_for_staff
from tessera.api.hq.setup_schemas import (
    BlueprintAppliedOut,
    BlueprintOut,
    EarningRuleIn,
    EarningRuleOut,
    GiftLadderIn,
    GiftLadderOut,
    TierLadderIn,
    TierLadderOut,
)
from tessera.blueprints.selectors import blueprint_list
from tessera.blueprints.services import blueprint_apply, rule_from, step_from
from tessera.earning.services import earning_rule_create
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.rewards.services.setup import gift_ladder_create
from tessera.tiers.services import tier_ladder_load

router = Router(tags=["programme configuration"], auth=STAFF_AUTH)


@router.get("/blueprints", response=list[BlueprintOut], summary="The programme templates Tessera ships")
def blueprints_view(request: HttpRequest) -> HttpResponse:
    return json_response(blueprint_list())


@router.post("/programs/{program_id}/blueprints/{code}", response={201: BlueprintAppliedOut},
             summary="Apply a programme template, all or nothing")  # fmt: skip
def blueprint_apply_view(request: HttpRequest, program_id: str, code: str) -> HttpResponse:
    program, actor = program_for_staff(request, program_id)
    applied = blueprint_apply(program=program, code=code, actor=actor, now=now())
    return json_response({"code": applied.code, "settings": applied.settings, "tier_ladder_id": applied.tier_ladder_id,
                          "earning_rules": applied.earning_rules, "gift_ladder_ids": applied.gift_ladder_ids},
                         status=201)  # fmt: skip


@router.post("/programs/{program_id}/tier-ladders", response={201: TierLadderOut}, summary="Add a tier ladder")
def tier_ladder_add(request: HttpRequest, program_id: str, body: TierLadderIn) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id)
    ladder = tier_ladder_load(program=program, spec=body.model_dump(exclude_unset=True))
    codes = list(ladder.tiers.order_by("rank").values_list("code", flat=True))
    return json_response({"tier_ladder_id": ladder.id, "name": ladder.name, "tiers": codes}, status=201)


@router.post("/programs/{program_id}/earning-rules", response={201: EarningRuleOut}, summary="Add an earning rule")
def earning_rule_add(request: HttpRequest, program_id: str, body: EarningRuleIn) -> HttpResponse:
    program, actor = program_for_staff(request, program_id)
    raw = {k: v for k, v in body.model_dump().items() if v is not None}
    row = earning_rule_create(program=program, rule=rule_from(raw), actor=actor, now=now())
    return json_response({"code": row.code, "kind": row.kind}, status=201)


@router.post("/programs/{program_id}/gift-ladders", response={201: GiftLadderOut}, summary="Add a monthly gift ladder")
def gift_ladder_add(request: HttpRequest, program_id: str, body: GiftLadderIn) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id)
    ladder = gift_ladder_create(
        program=program, name=body.name, steps=[step_from(s.model_dump()) for s in body.steps],
        active_from=body.active_from, active_to=body.active_to, claim_policy=body.claim_policy,
        claim_days=body.claim_days,
    )  # fmt: skip
    steps = sorted(s.threshold_points for s in body.steps)
    return json_response({"gift_ladder_id": ladder.id, "name": ladder.name, "steps": steps}, status=201)

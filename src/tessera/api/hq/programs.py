"""Headquarters API for programme configuration (staff tokens; headquarters admins of the owner only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from tessera.access.api import STAFF_AUTH, staff_of
from tessera.access.rules import Action
from tessera.api.hq.program_schemas import ProgramSettingsOut, ProgramSettingsPatch
from tessera.kit.actor import Actor
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.errors import ProgramNotServed
from tessera.programs.models import Program
from tessera.programs.services import SETTINGS_EDITABLE, program_settings_update
from tessera.stores.selectors import headquarters_get

router = Router(tags=["programme configuration"], auth=STAFF_AUTH)


def program_for_staff(
    request: HttpRequest, program_id: str, action: Action = Action.PROGRAM_CONFIGURE
) -> tuple[Program, Actor]:
    """The programme, if the staff member is headquarters of its owner with ``action``; one 404 for every
    other merchant's or unknown programme, 403 where the role lacks the action."""
    program = Program.objects.filter(public_id=program_id).first()
    if program is None:
        raise ProgramNotServed()
    hq = headquarters_get(merchant_id=program.owner_id)
    auth = staff_of(request)
    if not auth.user.is_superuser and auth.user.merchant_id != program.owner_id:
        raise ProgramNotServed()
    auth.require(action, store_id=hq.id, store_merchant_id=program.owner_id)
    actor = Actor(store_id=hq.id, merchant_id=program.owner_id, currency=hq.currency, staff_id=auth.user.id)
    return program, actor


def _settings(program: Program) -> dict[str, Any]:
    fields = {name: getattr(program, name) for name in sorted(SETTINGS_EDITABLE)}
    return {"program_id": program.public_id, "currency": program.currency, **fields}


@router.get("/programs/{program_id}", response=ProgramSettingsOut, summary="A programme's settings")
def program_settings_view(request: HttpRequest, program_id: str) -> HttpResponse:
    program, _actor = program_for_staff(request, program_id)
    return json_response(_settings(program))


@router.patch("/programs/{program_id}", response=ProgramSettingsOut, summary="Change a programme's settings")
def program_settings_patch(request: HttpRequest, program_id: str, body: ProgramSettingsPatch) -> HttpResponse:
    program, actor = program_for_staff(request, program_id)
    changes = body.model_dump(exclude_unset=True)
    updated = program_settings_update(program=program, changes=changes, actor=actor, now=now())
    return json_response(_settings(updated))

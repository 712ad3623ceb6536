"""Headquarters API for programme configuration (staff tokens; headquarters admins of the owner only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from tessera.access.api import STAFF_AUTH
from tessera.api.hq.program_schemas import ProgramSettingsOut, ProgramSettingsPatch
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.api.staff import program_for_staff
from tessera.programs.models import Program
from tessera.programs.services import SETTINGS_EDITABLE, program_settings_update

router = Router(tags=["programme configuration"], auth=STAFF_AUTH)


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

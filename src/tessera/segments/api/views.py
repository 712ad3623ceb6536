"""Headquarters API for segments (staff tokens): count a definition, save, list, read, refresh and export.

A segment spans every member of the programme, so each operation asks for its action merchant-wide
(``Target.MERCHANT``): the operations centre, an auditor for the reads, a platform administrator. Another
merchant's programme is the same 404 as an unknown one, and another programme's segment the same 404 as a
guessed id. Definitions are the JSON of docs/segments.md, money in minor units.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from tessera.access.api import STAFF_AUTH, staff_of
from tessera.access.operations import Target, operations_declare
from tessera.access.rules import Action, scope_allows_merchant
from tessera.access.terminals import ActionForbidden
from tessera.kit.actor import Actor
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.errors import ProgramNotServed
from tessera.programs.models import Program
from tessera.segments.exports import export_filename
from tessera.segments.selectors import definition_count, segment_get, segment_list, segment_refreshes, segment_summary
from tessera.segments.services import SegmentInput, segment_create, segment_export, segment_refresh
from tessera.stores.selectors import headquarters_actor

router = Router(tags=["segments"], auth=STAFF_AUTH)

_SEGMENTS = "/api/v1/programs/{program_id}/segments"
_ONE = f"{_SEGMENTS}/{{segment_id}}"
_ACTIONS = {
    ("POST", f"{_SEGMENTS}/count"): Action.SEGMENT_MANAGE,
    ("GET", _SEGMENTS): Action.REPORT_VIEW,
    ("POST", _SEGMENTS): Action.SEGMENT_MANAGE,
    ("GET", _ONE): Action.REPORT_VIEW,
    ("POST", f"{_ONE}/refresh"): Action.SEGMENT_MANAGE,
    ("GET", f"{_ONE}/export"): Action.SEGMENT_EXPORT,
}
operations_declare(dict(_ACTIONS), dict.fromkeys(_ACTIONS, Target.MERCHANT))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CountIn(Strict):
    definition: dict[str, Any] = Field(..., description='A group: {"all": [...]} or {"any": [...]}.')


class CountOut(Schema):
    members: int


class SegmentIn(Strict):
    name: str = Field(..., max_length=100)
    definition: dict[str, Any]
    description: str = Field("", max_length=500)
    is_smart_tag: bool = False
    tag_label: str = Field("", max_length=40)
    tag_colour: str = Field("grey", description="grey, blue, green, amber, red or purple.")


class RefreshOut(Schema):
    refreshed_at: str
    member_count: int


class SegmentOut(Schema):
    segment_id: str
    name: str
    description: str
    definition: dict[str, Any]
    is_smart_tag: bool
    tag_label: str
    tag_colour: str
    member_count: int | None
    refreshed_at: str | None
    created_at: str
    updated_at: str


class SegmentDetailOut(SegmentOut):
    refreshes: list[RefreshOut] = Field(..., description="The newest refreshes first: the count's history.")


def _program(request: HttpRequest, program_id: str, action: Action) -> tuple[Program, Actor]:
    program = Program.objects.filter(public_id=program_id).first()
    user = staff_of(request).user
    if program is None or not (user.is_superuser or user.merchant_id == program.owner_id):
        raise ProgramNotServed()
    if not scope_allows_merchant(user.scope(), action, merchant_id=program.owner_id):
        raise ActionForbidden()
    return program, headquarters_actor(merchant_id=program.owner_id, staff_id=user.id, label=user.get_username())


@router.post(f"{_SEGMENTS[7:]}/count", response=CountOut, summary="Count the members a definition selects now")
def segments_count_view(request: HttpRequest, program_id: str, body: CountIn) -> HttpResponse:
    program, _actor = _program(request, program_id, Action.SEGMENT_MANAGE)
    return json_response({"members": definition_count(program=program, definition=body.definition, now=now())})


@router.get(_SEGMENTS[7:], response=list[SegmentOut], summary="The programme's saved segments")
def segments_list_view(request: HttpRequest, program_id: str) -> HttpResponse:
    program, _actor = _program(request, program_id, Action.REPORT_VIEW)
    return json_response([segment_summary(s) for s in segment_list(program=program)])


@router.post(_SEGMENTS[7:], response={201: SegmentOut}, summary="Save a segment (refresh it to take its members)")
def segments_create_view(request: HttpRequest, program_id: str, body: SegmentIn) -> HttpResponse:
    program, actor = _program(request, program_id, Action.SEGMENT_MANAGE)
    segment = segment_create(program=program, data=SegmentInput(**body.model_dump()), actor=actor, now=now())
    return json_response(segment_summary(segment), status=201)


@router.get(_ONE[7:], response=SegmentDetailOut, summary="A saved segment with its refresh history")
def segment_view(request: HttpRequest, program_id: str, segment_id: str) -> HttpResponse:
    program, _actor = _program(request, program_id, Action.REPORT_VIEW)
    segment = segment_get(program=program, public_id=segment_id)
    refreshes = [_refresh_body(r.refreshed_at, r.member_count) for r in segment_refreshes(segment=segment)]
    return json_response({**segment_summary(segment), "refreshes": refreshes})


@router.post(f"{_ONE[7:]}/refresh", response=RefreshOut, summary="Replace the segment's member list with today's")
def segment_refresh_view(request: HttpRequest, program_id: str, segment_id: str) -> HttpResponse:
    program, actor = _program(request, program_id, Action.SEGMENT_MANAGE)
    segment = segment_get(program=program, public_id=segment_id)
    done = segment_refresh(segment=segment, now=now(), staff_id=actor.staff_id)
    return json_response(_refresh_body(done.refreshed_at, done.member_count))


@router.get(f"{_ONE[7:]}/export", response={200: None}, summary="The segment's members as CSV (audited)")
def segment_export_view(request: HttpRequest, program_id: str, segment_id: str) -> HttpResponse:
    program, actor = _program(request, program_id, Action.SEGMENT_EXPORT)
    segment = segment_get(program=program, public_id=segment_id)
    body, _rows = segment_export(segment=segment, actor=actor, now=now())
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(segment)}"'
    return response


def _refresh_body(refreshed_at: Any, member_count: int) -> dict[str, Any]:
    return {"refreshed_at": refreshed_at.isoformat(), "member_count": member_count}

"""Headquarters API for coupons: issue a template to a list of members (a segment's list, until segments exist)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from tessera.access.api import STAFF_AUTH
from tessera.api.hq.programs import program_for_staff
from tessera.coupons.codes import code_display
from tessera.coupons.services import IssueSource, coupons_issue
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.errors import MemberNotFound
from tessera.members.models import Member

router = Router(tags=["coupons"], auth=STAFF_AUTH)


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: str = Field(..., min_length=1, max_length=64, description="The template's code.")
    members: list[str] = Field(..., min_length=1, max_length=10_000, description="Member ids (mbr_...).")


class IssuedOut(Schema):
    member_id: str
    code: str
    display_code: str
    valid_until: str


class IssueOut(Schema):
    issued: list[IssuedOut]


@router.post("/programs/{program_id}/coupons/issue", response={201: IssueOut},
             summary="Issue a coupon template to a list of members, all or none")  # fmt: skip
def coupons_issue_view(request: HttpRequest, program_id: str, body: IssueRequest) -> HttpResponse:
    program, actor = program_for_staff(request, program_id)
    wanted = list(dict.fromkeys(body.members))
    members = list(Member.objects.filter(program=program, public_id__in=wanted).select_related("program"))
    if len(members) != len(wanted):
        raise MemberNotFound()  # one answer for any member not in this programme
    by_id = {m.public_id: m for m in members}
    source = IssueSource("staff" if len(wanted) == 1 else "bulk")
    issued = coupons_issue(actor=actor, template_code=body.template, members=[by_id[m] for m in wanted], now=now(),
                           source=source)  # fmt: skip
    members_by_pk = {m.id: m.public_id for m in members}
    rows = [{"member_id": members_by_pk[c.member_id], "code": c.code, "display_code": code_display(c.code),
             "valid_until": c.valid_until.isoformat()} for c in issued]  # fmt: skip
    return json_response({"issued": rows}, status=201)

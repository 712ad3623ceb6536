"""CRM API for POS terminals: the member's profile as a till may know it, and their tags.

A till never sees or sets a sensitive attribute (occupation, income band): they are left out of every answer,
not masked, and a body naming one is refused by the schema. Writing a profile or a tag is idempotent by itself
(setting a value twice, or adding a tag twice, leaves one result), so no Idempotency-Key is needed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from tessera.access.operations import operations_declare
from tessera.access.rules import Action
from tessera.access.terminals import terminal_actor
from tessera.crm.errors import TagNotFound
from tessera.crm.models import Profile
from tessera.crm.rules import PREFERENCE_MAX, PREFERENCES_MAX, TILL_FIELDS
from tessera.crm.selectors import member_tags, profile_of, profile_public, tag_by_name, tags_of_program
from tessera.crm.services import member_tag_add, member_tag_remove, profile_update
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.errors import MemberNotFound
from tessera.members.lifecycle import program_local_date
from tessera.members.models import Member
from tessera.members.selectors import member_get_for_merchant
from tessera.stores.api.auth import TERMINAL_AUTH, terminal_of

router = Router(tags=["crm"], auth=TERMINAL_AUTH)

_MEMBER = "/api/v1/members/{member_id}"
operations_declare(
    {
        ("GET", f"{_MEMBER}/profile"): Action.MEMBER_VIEW,
        ("PATCH", f"{_MEMBER}/profile"): Action.MEMBER_UPDATE,
        ("GET", f"{_MEMBER}/tags"): Action.MEMBER_VIEW,
        ("POST", f"{_MEMBER}/tags"): Action.MEMBER_UPDATE,
        ("POST", f"{_MEMBER}/tags/remove"): Action.MEMBER_UPDATE,
    }
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProfileIn(Strict):
    """Only the attributes a till may set; an attribute left out stays as it is, an empty one is cleared."""

    store: str | None = Field(None, max_length=32, description="Store code; must be the key's own store.")
    education: str | None = Field(None, description=f"One of {', '.join(repr(v) for v in Profile.Education.values)}.")
    region: str | None = Field(None, max_length=100, description="District or city.")
    preferences: list[str] | None = Field(
        None, max_length=PREFERENCES_MAX, description=f"Up to {PREFERENCES_MAX} of {PREFERENCE_MAX} characters each."
    )


class ProfileOut(Schema):
    member_id: str
    gender: str
    age_band: str | None
    education: str
    region: str
    preferences: list[str]


class TagIn(Strict):
    store: str | None = Field(None, max_length=32, description="Store code; must be the key's own store.")
    tag: str = Field(..., min_length=1, max_length=40, description="The tag's name in the member's programme.")


class TagOut(Schema):
    name: str
    description: str


class TagsOut(Schema):
    member_id: str
    tags: list[TagOut]
    available: list[TagOut]


def _member(request: HttpRequest, member_id: str) -> Member:
    member = member_get_for_merchant(merchant_id=terminal_of(request).store.merchant_id, reference=member_id)
    if member is None:
        raise MemberNotFound()
    return member


def _profile_body(member: Member) -> dict[str, Any]:
    return profile_public(member, profile_of(member), today=program_local_date(member.program, now()))


def _tags_body(member: Member) -> dict[str, Any]:
    carried = member_tags(member)
    names = {t.name for t in carried}
    available = [t for t in tags_of_program(program_id=member.program_id) if t.name not in names]
    return {
        "member_id": member.public_id,
        "tags": [{"name": t.name, "description": t.description} for t in carried],
        "available": [{"name": t.name, "description": t.description} for t in available],
    }


@router.get("/members/{member_id}/profile", response=ProfileOut, summary="A member's profile, as a till may know it")
def profile_get(request: HttpRequest, member_id: str) -> HttpResponse:
    return json_response(_profile_body(_member(request, member_id)))


@router.patch("/members/{member_id}/profile", response=ProfileOut, summary="Set profile attributes a till may set")
def profile_patch(request: HttpRequest, member_id: str, body: ProfileIn) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.MEMBER_UPDATE)
    member = _member(request, member_id)
    fields = {k: v for k, v in body.model_dump(exclude_unset=True).items() if k != "store" and v is not None}
    profile_update(member=member, actor=actor, now=now(), fields=fields, allowed=TILL_FIELDS)
    return json_response(_profile_body(member))


@router.get("/members/{member_id}/tags", response=TagsOut, summary="The member's tags and the others to add")
def tags_get(request: HttpRequest, member_id: str) -> HttpResponse:
    return json_response(_tags_body(_member(request, member_id)))


def _tag_change(request: HttpRequest, member_id: str, body: TagIn, *, add: bool) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.MEMBER_UPDATE)
    member = _member(request, member_id)
    tag = tag_by_name(program_id=member.program_id, name=body.tag)
    if tag is None:
        raise TagNotFound()
    (member_tag_add if add else member_tag_remove)(member=member, tag=tag, actor=actor, now=now())
    return json_response(_tags_body(member))


@router.post("/members/{member_id}/tags", response=TagsOut, summary="Put one of the programme's tags on the member")
def tag_add(request: HttpRequest, member_id: str, body: TagIn) -> HttpResponse:
    return _tag_change(request, member_id, body, add=True)


@router.post("/members/{member_id}/tags/remove", response=TagsOut, summary="Take a tag off the member")
def tag_remove(request: HttpRequest, member_id: str, body: TagIn) -> HttpResponse:
    return _tag_change(request, member_id, body, add=False)

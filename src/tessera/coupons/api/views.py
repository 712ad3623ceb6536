"""Coupons API for POS terminals: the coupons a member holds, and releasing a checkout's holds.

Coupons are chosen and redeemed through the sale endpoints (``coupons`` on ``/v1/sales/quote`` and
``/v1/sales``); these endpoints only show them and free them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Query, Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from tessera.access.rules import Action
from tessera.access.terminals import terminal_actor
from tessera.coupons.selectors import member_coupons
from tessera.coupons.services import coupons_release
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.members.errors import MemberNotFound
from tessera.members.selectors import member_get_for_merchant
from tessera.stores.api.auth import TERMINAL_AUTH

router = Router(tags=["coupons"], auth=TERMINAL_AUTH)


class MemberCouponOut(Schema):
    code: str = Field(..., description="As stored; scan or type it in any case, with or without dashes.")
    display_code: str = Field(..., description="In groups of four, for people.")
    template: str
    kind: str
    name: str
    state: str
    valid_from: str
    valid_until: str


class MemberCouponsOut(Schema):
    member_id: str
    coupons: list[MemberCouponOut]


class ReleaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    store: str = Field(..., min_length=1, max_length=32)
    pos_number: str = Field(..., min_length=1, max_length=64)


class ReleaseOut(Schema):
    released: int


@router.get("/members/{member}/coupons", response=MemberCouponsOut, summary="The coupons a member can use")
def member_coupons_view(request: HttpRequest, member: str, store: str = Query(..., max_length=32)) -> HttpResponse:
    actor = terminal_actor(request, store_code=store, action=Action.SALE)
    found = member_get_for_merchant(merchant_id=actor.merchant_id, reference=member)
    if found is None:
        raise MemberNotFound()
    coupons = member_coupons(member=found, at=now(), language=get_language() or "en")
    return json_response({"member_id": found.public_id, "coupons": coupons})


@router.post("/coupons/release", response=ReleaseOut, summary="Free the coupons a quote held for a checkout")
def coupons_release_view(request: HttpRequest, body: ReleaseRequest) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.SALE)
    return json_response({"released": coupons_release(actor=actor, pos_number=body.pos_number, now=now())})

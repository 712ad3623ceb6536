"""Mall API for POS terminals: staff order mall items for a member at the till and move the orders along.

Every write takes an ``Idempotency-Key`` header. Mall orders use the ``points.redeem`` permission.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Header, Query, Router
from pydantic import BaseModel, ConfigDict, Field

from tessera.access.rules import Action
from tessera.access.terminals import terminal_actor
from tessera.idempotency.services import idempotency_key_require
from tessera.kit.clock import now
from tessera.kit.http import json_response
from tessera.mall.selectors import mall_catalogue_for, mall_order_get
from tessera.mall.services import mall_order_advance, mall_order_answer, mall_order_cancel, mall_order_place
from tessera.members.errors import MemberNotFound
from tessera.members.models import Member
from tessera.members.selectors import member_get_for_merchant
from tessera.stores.api.auth import TERMINAL_AUTH

router = Router(tags=["mall"], auth=TERMINAL_AUTH)
KeyHeader = Header(None, alias="Idempotency-Key", description="Client-generated, reused on every retry.")


class OrderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    store: str = Field(..., min_length=1, max_length=32)
    member: str = Field(..., min_length=1, max_length=64)
    item: str = Field(..., min_length=1, max_length=40)
    quantity: int = Field(1, description="1 to 100; other values are refused with mall_quantity_invalid.")


class AdvanceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    store: str = Field(..., min_length=1, max_length=32)
    state: Literal["ready", "picked_up", "shipped"]


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    store: str = Field(..., min_length=1, max_length=32)


def _member(merchant_id: int, reference: str) -> Member:
    found = member_get_for_merchant(merchant_id=merchant_id, reference=reference)
    if found is None:
        raise MemberNotFound()
    return found


@router.get("/members/{member}/mall", summary="The mall items a member can order at this store, and why not")
def catalogue_view(request: HttpRequest, member: str, store: str = Query(..., max_length=32)) -> HttpResponse:
    actor = terminal_actor(request, store_code=store, action=Action.MEMBER_VIEW)
    found = _member(actor.merchant_id, member)
    items = mall_catalogue_for(member=found, merchant_id=actor.merchant_id, store_id=actor.store_id,
                               language=get_language() or "en", now=now())  # fmt: skip
    return json_response({"member_id": found.public_id, "items": items})


@router.post("/mall/orders", summary="Order a mall item for a member: points debited, stock taken")
def order_view(request: HttpRequest, body: OrderRequest, idempotency_key: str | None = KeyHeader) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.POINTS_REDEEM)
    key = idempotency_key_require(idempotency_key)
    answer = mall_order_place(actor=actor, member=_member(actor.merchant_id, body.member), item_id=body.item,
                              quantity=body.quantity, request_key=key, now=now())  # fmt: skip
    return json_response(answer, status=201)


@router.get("/mall/orders/{order}", summary="One mall order")
def order_get_view(request: HttpRequest, order: str, store: str = Query(..., max_length=32)) -> HttpResponse:
    actor = terminal_actor(request, store_code=store, action=Action.MEMBER_VIEW)
    return json_response(mall_order_answer(mall_order_get(order_id=order, merchant_id=actor.merchant_id)))


@router.post("/mall/orders/{order}/advance", summary="Mark an order ready for pickup, picked up or shipped")
def advance_view(request: HttpRequest, order: str, body: AdvanceRequest) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.POINTS_REDEEM)
    return json_response(mall_order_advance(actor=actor, order_id=order, target=body.state, now=now()))


@router.post("/mall/orders/{order}/cancel", summary="Cancel an order: points and stock back, coupons voided")
def cancel_view(
    request: HttpRequest, order: str, body: CancelRequest, idempotency_key: str | None = KeyHeader
) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.POINTS_REDEEM)
    key = idempotency_key_require(idempotency_key)
    return json_response(mall_order_cancel(actor=actor, order_id=order, request_key=key, now=now()))

"""Checkout API for POS terminals. Every write takes an ``Idempotency-Key`` header.

Same key and same body: the original answer again (with ``Idempotent-Replayed: true``). Same key, other body:
409 ``idempotency_key_reused``. Same POS document number resent with a new key: the original answer if the
body is the same, 409 ``document_number_conflict`` if not.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from tessera.access.rules import Action
from tessera.access.terminals import terminal_actor
from tessera.checkout import commands
from tessera.checkout.api.schemas import (
    QuoteOut,
    QuoteRequest,
    RedemptionOut,
    RedemptionRequest,
    ReturnOut,
    ReturnRequest,
    SaleOut,
    SaleRequest,
    TopUpOut,
    TopUpQuoteOut,
    TopUpRefundOut,
    TopUpRefundRequest,
    TopUpRequest,
)
from tessera.checkout.services import (
    points_redeem,
    return_commit,
    sale_commit,
    sale_quote,
    top_up_commit,
    top_up_quote,
    top_up_refund_commit,
)
from tessera.idempotency.services import idempotency_key_require
from tessera.kit.clock import now
from tessera.kit.http import json_response, outcome_response
from tessera.stores.api.auth import TERMINAL_AUTH

router = Router(tags=["checkout"], auth=TERMINAL_AUTH)
KeyHeader = Header(None, alias="Idempotency-Key", description="Client-generated, reused on every retry.")


def _sale(body: SaleRequest) -> commands.SaleIn:
    return commands.SaleIn(
        member=body.member,
        pos_number=body.pos_number,
        event_at=body.event_at,
        currency=body.currency,
        lines=tuple(commands.LineIn(**line.model_dump()) for line in body.lines),
        tenders=tuple(commands.TenderIn(**t.model_dump()) for t in body.tenders),
        join=commands.JoinIn(**body.join.model_dump()) if body.join else None,
        coupons=tuple(body.coupons) if body.coupons is not None else None,
    )


@router.post("/sales/quote", response=QuoteOut, summary="Quote a sale (dry run, writes nothing)")
def sale_quote_view(request: HttpRequest, body: QuoteRequest) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.SALE)
    return json_response(sale_quote(actor=actor, sale=_sale(body), now=now(), hold=body.hold_coupons))


@router.post("/sales", response={201: SaleOut}, summary="Commit a sale")
def sale_commit_view(request: HttpRequest, body: SaleRequest, idempotency_key: str | None = KeyHeader) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.SALE)
    key = idempotency_key_require(idempotency_key)
    return outcome_response(sale_commit(actor=actor, sale=_sale(body), request_key=key, now=now()))


@router.post("/returns", response={201: ReturnOut}, summary="Commit a full or partial return")
def return_commit_view(
    request: HttpRequest, body: ReturnRequest, idempotency_key: str | None = KeyHeader
) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.RETURN)
    key = idempotency_key_require(idempotency_key)
    ret = commands.ReturnIn(
        original_pos_number=body.original_pos_number,
        pos_number=body.pos_number,
        event_at=body.event_at,
        lines=tuple(commands.ReturnLineIn(line_no=r.line_no, quantity=r.quantity) for r in body.lines),
    )
    return outcome_response(return_commit(actor=actor, ret=ret, request_key=key, now=now()))


@router.post("/top-ups/quote", response=TopUpQuoteOut, summary="Quote a top-up: its bonus and any cap (writes nothing)")
def top_up_quote_view(request: HttpRequest, body: TopUpRequest) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.TOP_UP)
    return json_response(top_up_quote(actor=actor, top_up=_top_up(body), now=now()))


@router.post("/top-ups", response={201: TopUpOut}, summary="Top up stored value")
def top_up_view(request: HttpRequest, body: TopUpRequest, idempotency_key: str | None = KeyHeader) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.TOP_UP)
    key = idempotency_key_require(idempotency_key)
    return outcome_response(top_up_commit(actor=actor, top_up=_top_up(body), request_key=key, now=now()))


@router.post("/top-ups/refunds", response={201: TopUpRefundOut}, summary="Refund a top-up's principal")
def top_up_refund_view(
    request: HttpRequest, body: TopUpRefundRequest, idempotency_key: str | None = KeyHeader
) -> HttpResponse:
    """Principal only: the refund's share of the bonus is taken back from the card, and whatever of it has been
    spent is kept from the money paid back. A whole refund voids the top-up's unused coupons."""
    actor = terminal_actor(request, store_code=body.store, action=Action.TOP_UP_REFUND)
    key = idempotency_key_require(idempotency_key)
    refund = commands.TopUpRefundIn(
        original_pos_number=body.original_pos_number, pos_number=body.pos_number, event_at=body.event_at,
        amount_minor=body.amount_minor, tender_kind=body.tender,
    )  # fmt: skip
    return outcome_response(top_up_refund_commit(actor=actor, refund=refund, request_key=key, now=now()))


def _top_up(body: TopUpRequest) -> commands.TopUpIn:
    return commands.TopUpIn(
        member=body.member, pos_number=body.pos_number, event_at=body.event_at, currency=body.currency,
        amount_minor=body.amount_minor, tender_kind=body.tender,
    )  # fmt: skip


@router.post("/redemptions", response={201: RedemptionOut}, summary="Redeem points for a gift or service")
def redemption_view(
    request: HttpRequest, body: RedemptionRequest, idempotency_key: str | None = KeyHeader
) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.POINTS_REDEEM)
    key = idempotency_key_require(idempotency_key)
    redemption = commands.RedemptionIn(
        member=body.member,
        pos_number=body.pos_number,
        event_at=body.event_at,
        points=body.points,
        reason=body.reason,
    )
    return outcome_response(points_redeem(actor=actor, redemption=redemption, request_key=key, now=now()))

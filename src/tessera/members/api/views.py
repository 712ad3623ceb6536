"""Members API for POS terminals: lookup, enrolment, profile with balances, and ledger history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router

from tessera.access.rules import Action
from tessera.access.terminals import terminal_actor
from tessera.idempotency.services import idempotency_key_require
from tessera.kit.clock import now
from tessera.kit.http import json_response, outcome_response
from tessera.members.api.schemas import EnrolRequest, HistoryOut, LookupOut, MemberOut, MemberWithBalancesOut
from tessera.members.errors import MemberNotFound
from tessera.members.models import Member
from tessera.members.selectors import (
    history_merchant_for,
    member_balances,
    member_find,
    member_get_for_merchant,
    member_history,
    member_summary,
)
from tessera.members.services import Profile, member_enroll, program_for_store
from tessera.stores.api.auth import TERMINAL_AUTH, terminal_of

router = Router(tags=["members"], auth=TERMINAL_AUTH)


def _with_balances(member: Member, merchant_id: int) -> dict[str, Any]:
    balances = member_balances(member=member, merchant_id=merchant_id)
    return {**member_summary(member), "balances": balances.as_dict()}


@router.get("/members/lookup", response=LookupOut, summary="Find a member by phone, card number or card code")
def member_lookup(request: HttpRequest, q: str = Query(..., min_length=1, max_length=64)) -> HttpResponse:
    auth = terminal_of(request)
    found = member_find(merchant_id=auth.store.merchant_id, query=q)
    return json_response({"members": [_with_balances(m, auth.store.merchant_id) for m in found]})


@router.post("/members", response={201: MemberOut}, summary="Enrol a member")
def member_enrol(
    request: HttpRequest, body: EnrolRequest, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
) -> HttpResponse:
    actor = terminal_actor(request, store_code=body.store, action=Action.MEMBER_ENROLL)
    key = idempotency_key_require(idempotency_key)
    program = program_for_store(merchant_id=actor.merchant_id, program_public_id=body.program_id)
    profile = Profile(
        phone=body.phone,
        name=body.name,
        birthday=body.birthday,
        gender=body.gender,
        locale=body.locale,
        email=body.email,
    )
    return outcome_response(member_enroll(program=program, profile=profile, actor=actor, now=now(), request_key=key))


def _member(request: HttpRequest, member_id: str) -> Member:
    member = member_get_for_merchant(merchant_id=terminal_of(request).store.merchant_id, reference=member_id)
    if member is None:
        raise MemberNotFound()
    return member


@router.get("/members/{member_id}", response=MemberWithBalancesOut, summary="A member's profile and balances")
def member_detail(request: HttpRequest, member_id: str) -> HttpResponse:
    return json_response(_with_balances(_member(request, member_id), terminal_of(request).store.merchant_id))


@router.get("/members/{member_id}/history", response=HistoryOut, summary="Every ledger entry, newest first")
def member_history_list(
    request: HttpRequest, member_id: str, before: int | None = None, limit: int = Query(50, ge=1, le=200)
) -> HttpResponse:
    member = _member(request, member_id)
    scope = history_merchant_for(member, terminal_of(request).store.merchant_id)
    lines = member_history(member=member, limit=limit, before_id=before, merchant_id=scope)
    entries = [
        {
            "entry_id": h.entry_id,
            "posting_id": h.posting_id,
            "event_at": h.event_at.isoformat(),
            "recorded_at": h.created_at.isoformat(),
            "store_code": h.store_code,
            "store_name": h.store_name,
            "reason": h.reason,
            "account": h.account_kind,
            "unit": h.unit,
            "amount": h.amount,
            "balance_after": h.balance_after,
            "source_type": h.source_type,
            "source_id": h.source_id,
            "actor": h.actor,
        }
        for h in lines
    ]
    next_before = lines[-1].entry_id if len(lines) == limit else None
    return json_response({"entries": entries, "next_before": next_before})

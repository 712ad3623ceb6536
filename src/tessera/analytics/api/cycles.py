"""Purchase cycles for POS terminals: the store's "due soon" list and a member's personal catalogue
(recommendations with their reasons, and the rhythms they come from), as the key's own store sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router, Schema
from ninja.params.functions import Query  # the plain function: ninja's Query alias is generic for mypy

from tessera.access.operations import operations_declare
from tessera.access.rules import Action
from tessera.access.terminals import terminal_actor
from tessera.analytics.cycles import DUE_WITHIN_DAYS, OVERALL, Rhythm, store_due
from tessera.analytics.recommendations import LIMIT, LIMIT_MAX, Recommendation, member_catalogue
from tessera.kit.clock import now as clock_now
from tessera.kit.http import json_response
from tessera.members.errors import MemberNotFound
from tessera.members.selectors import history_merchant_for, member_get_for_merchant
from tessera.stores.api.auth import TERMINAL_AUTH, terminal_of

router = Router(tags=["purchase cycles"], auth=TERMINAL_AUTH)
_DUE, _CATALOGUE = "/api/v1/cycles/due", "/api/v1/members/{member_id}/recommendations"
operations_declare({("GET", _DUE): Action.MEMBER_VIEW, ("GET", _CATALOGUE): Action.MEMBER_VIEW})


class RhythmOut(Schema):
    category: str | None  # null: all purchases, whatever the category
    purchase_days: int
    interval_days: float
    variation: float | None
    regularity: str
    last_purchase_on: str
    next_expected_on: str
    days_until: int
    state: str
    reason: str


class DueMemberOut(Schema):
    member_id: str
    name: str
    rhythm: RhythmOut


class DueOut(Schema):
    store: str
    as_of: str
    local_date: str
    days: int
    members: list[DueMemberOut]


class RecommendationOut(Schema):
    source: str
    category: str
    sku: str
    name: str
    reason: str
    evidence: dict[str, Any]


class CatalogueOut(Schema):
    member_id: str
    as_of: str
    local_date: str
    recommendations: list[RecommendationOut]
    rhythms: list[RhythmOut]


def _rhythm(rhythm: Rhythm) -> dict[str, Any]:
    cycle = rhythm.cycle
    return {
        "category": None if rhythm.category == OVERALL else rhythm.category,
        "purchase_days": cycle.days,
        "interval_days": cycle.interval_days,
        "variation": None if cycle.variation is None else round(cycle.variation, 4),
        "regularity": cycle.regularity.value,
        "last_purchase_on": cycle.last_on.isoformat(),
        "next_expected_on": cycle.next_on.isoformat(),
        "days_until": rhythm.days_until,
        "state": rhythm.state.value,
        "reason": rhythm.reason(),
    }


def _recommendation(rec: Recommendation) -> dict[str, Any]:
    return {"source": rec.source.value, "category": rec.category, "sku": rec.sku, "name": rec.name,
            "reason": rec.reason, "evidence": rec.evidence}  # fmt: skip


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).date().isoformat()


@router.get(_DUE.removeprefix("/api/v1"), response=DueOut, summary="Members of this store due to buy again soon")
def cycles_due(
    request: HttpRequest, store: str | None = None, days: int = Query(DUE_WITHIN_DAYS, ge=1, le=366),
    limit: int = Query(100, ge=1, le=500),
) -> HttpResponse:  # fmt: skip
    """Members enrolled at the key's store whose next purchase (of a category, or any purchase: ``category``
    null) is expected within ``days`` days or is overdue by less than one rhythm, soonest first."""
    terminal_actor(request, store_code=store, action=Action.MEMBER_VIEW)
    shop, moment = terminal_of(request).store, clock_now()
    rows = store_due(store=shop, now=moment, within_days=days, limit=limit)
    members = [{"member_id": r.member_id, "name": r.name, "rhythm": _rhythm(r.rhythm)} for r in rows]
    return json_response({"store": shop.code, "as_of": moment.isoformat(), "local_date": _local(moment, shop.timezone),
                          "days": days, "members": members})  # fmt: skip


@router.get(
    _CATALOGUE.removeprefix("/api/v1"), response=CatalogueOut, summary="A member's personal catalogue, with reasons"
)
def member_recommendations(
    request: HttpRequest, member_id: str, limit: int = Query(LIMIT, ge=1, le=LIMIT_MAX)
) -> HttpResponse:
    """``member_id`` is a member id, card number or card code. Reasons come in the language of the request's
    Accept-Language header; a partner's till sees only what its own stores sold, unless the member agreed."""
    terminal_actor(request, store_code=None, action=Action.MEMBER_VIEW)
    shop = terminal_of(request).store
    member = member_get_for_merchant(merchant_id=shop.merchant_id, reference=member_id)
    if member is None:
        raise MemberNotFound()
    moment = clock_now()
    catalogue = member_catalogue(member=member, zone=ZoneInfo(shop.timezone), now=moment, limit=limit,
                                 merchant_id=history_merchant_for(member, shop.merchant_id),
                                 language=get_language() or "en")  # fmt: skip
    return json_response({
        "member_id": member.public_id, "as_of": moment.isoformat(), "local_date": _local(moment, shop.timezone),
        "recommendations": [_recommendation(r) for r in catalogue.recommendations],
        "rhythms": [_rhythm(r) for r in catalogue.rhythms],
    })  # fmt: skip

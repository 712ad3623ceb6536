"""Mall reads: the catalogue as one member sees it, and one order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q

from tessera.mall.errors import MallOrderNotFound
from tessera.mall.models import MallItem, MallOrder
from tessera.members.models import Member
from tessera.points.services import points_available
from tessera.programs.models import ProgramMerchant
from tessera.tiers.selectors import tier_benefits_get


def mall_catalogue_for(*, member: Member, merchant_id: int, language: str, now: datetime) -> list[dict[str, Any]]:
    """Every active item of the member's programme, each saying whether the member can order one and why not.

    ``unavailable`` is None when orderable, else ``dates`` (on sale later: ``active_from`` is still to come),
    ``tier`` (not for this member's tier), ``stock`` (none left) or ``points`` (the member's spendable points are
    below the price), the first that applies in that order. Items whose ``active_until`` has passed are left out,
    as they will never be orderable again. An empty list when this merchant's stores do not serve the programme.
    """
    if not ProgramMerchant.objects.filter(program_id=member.program_id, merchant_id=merchant_id).exists():
        return []
    items = (
        MallItem.objects.filter(program_id=member.program_id, is_active=True)
        .filter(Q(active_until__isnull=True) | Q(active_until__gt=now))
        .prefetch_related("translations")
        .order_by("points_price", "id")
    )
    benefits = tier_benefits_get(member_id=member.id, program=member.program, language=language)
    tier = benefits.tier_code if benefits is not None else None
    points = points_available(member_id=member.id, now=now)
    return [_entry(item, tier=tier, points=points, language=language, now=now) for item in items]


def _entry(item: MallItem, *, tier: str | None, points: int, language: str, now: datetime) -> dict[str, Any]:
    texts = {t.language_code: t for t in item.translations.all()}
    text = texts.get(language) or texts.get("en")
    unavailable = None
    if item.active_from is not None and now < item.active_from:
        unavailable = "dates"
    elif item.tier_codes and tier not in item.tier_codes:
        unavailable = "tier"
    elif item.stock < 1:
        unavailable = "stock"
    elif points < item.points_price:
        unavailable = "points"
    return {
        "item_id": item.public_id, "kind": item.kind, "name": text.name if text else item.name,
        "description": text.description if text else item.description, "image_url": item.image_url,
        "points_price": item.points_price, "cash_minor": item.cash_minor, "stock": item.stock,
        "tiers": list(item.tier_codes), "active_from": item.active_from.isoformat() if item.active_from else None,
        "active_until": item.active_until.isoformat() if item.active_until else None, "unavailable": unavailable,
    }  # fmt: skip


def mall_order_get(*, order_id: str, merchant_id: int) -> MallOrder:
    """One order, if a store of this merchant serves its programme.

    :raises MallOrderNotFound: no such order, or another merchant's.
    """
    order = MallOrder.objects.select_related("item", "member", "posting", "reversal").filter(public_id=order_id).first()
    if (
        order is None
        or not ProgramMerchant.objects.filter(program_id=order.program_id, merchant_id=merchant_id).exists()
    ):
        raise MallOrderNotFound()
    return order

"""Mall reads: the catalogue as one member sees it, and one order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from tessera.mall.errors import MallOrderNotFound, MallTierNotAllowed
from tessera.mall.models import MallItem, MallOrder, MallStoreStock
from tessera.members.models import Member
from tessera.points.selectors import points_redeem_only
from tessera.points.services import points_available
from tessera.programs.models import ProgramMerchant
from tessera.tiers.selectors import tier_benefits_get


def mall_catalogue_for(
    *, member: Member, merchant_id: int, store_id: int, language: str, now: datetime
) -> list[dict[str, Any]]:
    """Every active item of the member's programme, each saying whether the member can order one at this store.

    ``unavailable`` is None when orderable, else ``dates`` (on sale later: ``active_from`` is still to come),
    ``tier`` (not for this member's tier), ``stock`` (none left) or ``points`` (the member's spendable points are
    below the price), the first that applies in that order; ``unavailable_reason`` says the same in ``language``.
    ``stock`` is this store's stock when ``stock_scope`` is ``store`` (the item keeps stock per store), else the
    programme's pool. Items whose ``active_until`` has passed are left out, as they will never be orderable again.
    An empty list when this merchant's stores do not serve the programme.
    """
    if not ProgramMerchant.objects.filter(program_id=member.program_id, merchant_id=merchant_id).exists():
        return []
    items = (
        MallItem.objects.filter(program_id=member.program_id, is_active=True)
        .filter(Q(active_until__isnull=True) | Q(active_until__gt=now))
        .annotate(
            per_store=Exists(MallStoreStock.objects.filter(item=OuterRef("pk"))),
            stock_here=Subquery(MallStoreStock.objects.filter(item=OuterRef("pk"), store_id=store_id).values("stock")),
        )
        .prefetch_related("translations")
        .order_by("points_price", "id")
    )
    benefits = tier_benefits_get(member_id=member.id, program=member.program, language=language)
    tier = benefits.tier_code if benefits is not None else None
    points = points_available(member_id=member.id, now=now, only=points_redeem_only(member.program, merchant_id))
    with translation.override(language):  # the reasons, in the language the names are in
        return [_entry(item, tier=tier, points=points, language=language, now=now) for item in items]


def _entry(item: Any, *, tier: str | None, points: int, language: str, now: datetime) -> dict[str, Any]:
    # ``item`` is a MallItem annotated with ``per_store`` and ``stock_here`` by the query above.
    texts = {t.language_code: t for t in item.translations.all()}
    text = texts.get(language) or texts.get("en")
    # A per-store item this store was never given has no row here: none in stock, not the pool's figure.
    stock = (item.stock_here or 0) if item.per_store else item.stock
    unavailable = None
    if item.active_from is not None and now < item.active_from:
        unavailable = "dates"
    elif item.tier_codes and tier not in item.tier_codes:
        unavailable = "tier"
    elif stock < 1:
        unavailable = "stock"
    elif points < item.points_price:
        unavailable = "points"
    return {
        "item_id": item.public_id, "kind": item.kind, "name": text.name if text else item.name,
        "description": text.description if text else item.description, "image_url": item.image_url,
        "points_price": item.points_price, "cash_minor": item.cash_minor, "stock": stock,
        "stock_scope": "store" if item.per_store else "programme",
        "tiers": list(item.tier_codes), "active_from": item.active_from.isoformat() if item.active_from else None,
        "active_until": item.active_until.isoformat() if item.active_until else None, "unavailable": unavailable,
        "unavailable_reason": _reason(unavailable, per_store=item.per_store),
    }  # fmt: skip


def _reason(unavailable: str | None, *, per_store: bool) -> str | None:
    """Why the item cannot be ordered, in the active language."""
    if unavailable is None:
        return None
    if unavailable == "stock":
        return _("Out of stock at this store.") if per_store else _("Out of stock.")
    reasons = {
        "dates": _("Not on sale yet."),
        "tier": str(MallTierNotAllowed.message),
        "points": _("The member does not have enough points for this item."),
    }
    return reasons[unavailable]


def mall_store_serves(*, store_id: int, program_id: int) -> bool:
    """Whether the store's merchant serves the programme, so that its tills may sell the programme's items."""
    return ProgramMerchant.objects.filter(program_id=program_id, merchant__stores__id=store_id).exists()


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

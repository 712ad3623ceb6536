"""Reads for the staff console: stores a staff member may act as, documents, returnable sales, store figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from tessera.access.rules import Scope, scope_covers_store
from tessera.checkout.models import IMPORTED_KINDS, Document, DocumentLine
from tessera.stores.models import Store


def store_get_active(*, store_id: int) -> Store | None:
    return Store.objects.select_related("merchant").filter(id=store_id, is_active=True).first()


def store_list_in_scope(*, scope: Scope) -> list[Store]:
    """Active stores a staff member may act as: every store for a platform admin, else their merchant's in scope."""
    stores = Store.objects.select_related("merchant").filter(is_active=True).order_by("merchant_id", "code")
    if not scope.is_platform_admin:
        if scope.merchant_id is None:
            return []
        stores = stores.filter(merchant_id=scope.merchant_id)
    return [s for s in stores if scope_covers_store(scope, store_id=s.id, store_merchant_id=s.merchant_id)]


def document_get_for_store(*, store_id: int, public_id: str) -> Document | None:
    """A document recorded at ``store_id``, with its member, lines and tenders; None for any other store."""
    return (
        Document.objects.select_related("member", "original", "store")
        .prefetch_related("lines", "tenders")
        .filter(store_id=store_id, public_id=public_id)
        .first()
    )


def sale_list_for_return(*, store_id: int, member_id: int, limit: int = 30) -> list[Document]:
    """The member's sales at this store, newest first, each with ``returned_minor`` (value already returned)."""
    returned = (
        Document.objects.filter(original=OuterRef("pk"))
        .values("original")
        .annotate(total=Sum("total_minor"))
        .values("total")
    )
    sales: QuerySet[Document] = Document.objects.filter(
        store_id=store_id, member_id=member_id, kind=Document.Kind.SALE
    ).annotate(returned_minor=Coalesce(Subquery(returned, output_field=IntegerField()), 0))
    return list(sales.order_by("-event_at", "-id")[:limit])


@dataclass(frozen=True, slots=True)
class ReturnableLine:
    line_no: int
    sku: str
    name: str
    category: str
    quantity: int
    returned: int
    unit_price_minor: int
    amount_minor: int

    @property
    def remaining(self) -> int:
        return self.quantity - self.returned


@dataclass(frozen=True, slots=True)
class ReturnableSale:
    document: Document
    lines: list[ReturnableLine]

    @property
    def remaining_items(self) -> int:
        return sum(line.remaining for line in self.lines)


def sale_returnable_get(*, store_id: int, public_id: str) -> ReturnableSale | None:
    """A sale of this store with, per line, how many units earlier returns already took back."""
    sale = (
        Document.objects.select_related("member")
        .filter(store_id=store_id, public_id=public_id, kind=Document.Kind.SALE)
        .first()
    )
    if sale is None:
        return None
    returned = dict(
        DocumentLine.objects.filter(original_line__document=sale)
        .values_list("original_line_id")
        .annotate(q=Sum("quantity"))
        .values_list("original_line_id", "q")
    )
    lines = [
        ReturnableLine(
            line_no=line.line_no,
            sku=line.sku,
            name=line.name,
            category=line.category,
            quantity=line.quantity,
            returned=int(returned.get(line.id) or 0),
            unit_price_minor=line.unit_price_minor,
            amount_minor=line.amount_minor,
        )
        for line in DocumentLine.objects.filter(document=sale).order_by("line_no")
    ]
    return ReturnableSale(document=sale, lines=lines)


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    sales_count: int = 0
    sales_minor: int = 0
    returns_count: int = 0
    returns_minor: int = 0
    top_ups_count: int = 0
    top_ups_minor: int = 0
    top_up_bonus_minor: int = 0
    points_issued: int = 0
    points_taken_back: int = 0
    redemptions_count: int = 0
    points_redeemed: int = 0


@dataclass(frozen=True, slots=True)
class StoreReport:
    store: Store
    day: date
    month_start: date
    today: PeriodFigures
    month: PeriodFigures


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def store_report(*, store: Store, now: datetime) -> StoreReport:
    """Today's and this month's figures for one store, by till time in the store's own time zone."""
    tz = ZoneInfo(store.timezone)
    today = now.astimezone(tz).date()
    month_start = today.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    day_from, day_to = _local_midnight(today, tz), _local_midnight(today + timedelta(days=1), tz)
    # History imported from another system (ADR 0019) is not what the store took this month.
    in_month = Document.objects.filter(
        store_id=store.id,
        event_at__gte=_local_midnight(month_start, tz),
        event_at__lt=_local_midnight(next_month, tz),
    ).exclude(kind__in=IMPORTED_KINDS)
    today_q = Q(event_at__gte=day_from, event_at__lt=day_to)
    rows = in_month.values("kind").annotate(
        agg_n=Count("id"),
        agg_total=Sum("total_minor"),
        agg_points=Sum("points"),
        agg_bonus=Sum("sv_bonus_minor"),
        agg_n_today=Count("id", filter=today_q),
        agg_total_today=Sum("total_minor", filter=today_q),
        agg_points_today=Sum("points", filter=today_q),
        agg_bonus_today=Sum("sv_bonus_minor", filter=today_q),
    )
    by_kind = {row["kind"]: row for row in rows}
    return StoreReport(
        store=store,
        day=today,
        month_start=month_start,
        today=_figures(by_kind, suffix="_today"),
        month=_figures(by_kind, suffix=""),
    )


def _figures(by_kind: Mapping[str, Mapping[str, Any]], *, suffix: str) -> PeriodFigures:
    def get(kind: str, name: str) -> int:
        return int((by_kind.get(kind) or {}).get(f"agg_{name}{suffix}") or 0)

    return PeriodFigures(
        sales_count=get("sale", "n"),
        sales_minor=get("sale", "total"),
        returns_count=get("return", "n"),
        returns_minor=get("return", "total"),
        top_ups_count=get("top_up", "n"),
        top_ups_minor=get("top_up", "total"),
        top_up_bonus_minor=get("top_up", "bonus"),
        points_issued=get("sale", "points"),
        points_taken_back=get("return", "points"),
        redemptions_count=get("redemption", "n"),
        points_redeemed=get("redemption", "points"),
    )

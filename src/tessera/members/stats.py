"""Per-member running statistics, changed inside the checkout transaction so segments never rescan sales.

Called by checkout services only, under the member's account locks, which is what serialises concurrent
updates of one member's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Case, F, Value, When

from tessera.kit.db import assert_in_transaction
from tessera.members.models import MemberCategoryStats, MemberStats


@dataclass(frozen=True, slots=True)
class CategoryMove:
    quantity: int
    value_minor: int


def member_stats_sale(
    *,
    member_id: int,
    event_at: datetime,
    value_minor: int,
    items: int,
    points: int,
    categories: Mapping[str, CategoryMove],
) -> None:
    assert_in_transaction()
    MemberStats.objects.filter(member_id=member_id).update(
        first_purchase_at=Case(
            When(first_purchase_at__isnull=True, then=Value(event_at)),
            When(first_purchase_at__gt=event_at, then=Value(event_at)),
            default=F("first_purchase_at"),
        ),
        last_purchase_at=Case(
            When(last_purchase_at__isnull=True, then=Value(event_at)),
            When(last_purchase_at__lt=event_at, then=Value(event_at)),
            default=F("last_purchase_at"),
        ),
        purchase_count=F("purchase_count") + 1,
        items_bought=F("items_bought") + items,
        spend_minor=F("spend_minor") + value_minor,
        points_earned=F("points_earned") + points,
    )
    _categories_add(member_id=member_id, event_at=event_at, categories=categories, purchases=1)


def member_stats_return(
    *,
    member_id: int,
    event_at: datetime,
    value_minor: int,
    items: int,
    points: int,
    categories: Mapping[str, CategoryMove],
) -> None:
    assert_in_transaction()
    MemberStats.objects.filter(member_id=member_id).update(
        return_count=F("return_count") + 1,
        items_returned=F("items_returned") + items,
        refund_minor=F("refund_minor") + value_minor,
        points_taken_back=F("points_taken_back") + points,
    )
    negated = {name: CategoryMove(-move.quantity, -move.value_minor) for name, move in categories.items()}
    _categories_add(member_id=member_id, event_at=None, categories=negated, purchases=0)


def member_stats_top_up(*, member_id: int, amount_minor: int) -> None:
    assert_in_transaction()
    MemberStats.objects.filter(member_id=member_id).update(
        top_up_count=F("top_up_count") + 1, top_up_minor=F("top_up_minor") + amount_minor
    )


def _categories_add(
    *, member_id: int, event_at: datetime | None, categories: Mapping[str, CategoryMove], purchases: int
) -> None:
    rows = [(name, move) for name, move in sorted(categories.items()) if name]
    if not rows:
        return
    table = MemberCategoryStats._meta.db_table
    at = connection.ops.adapt_datetimefield_value(event_at) if event_at else None
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[int | str | None] = []
    for name, move in rows:
        params += [member_id, name, purchases, move.quantity, move.value_minor, at, at]
    # One statement for all categories of the document: insert new ones, add to existing ones.
    sql = (
        f"INSERT INTO {table} (member_id, category, purchase_count, quantity, spend_minor,"  # noqa: S608
        f" first_purchase_at, last_purchase_at) VALUES {values}"
        f" ON CONFLICT (member_id, category) DO UPDATE SET"
        f" purchase_count = {table}.purchase_count + excluded.purchase_count,"
        f" quantity = {table}.quantity + excluded.quantity,"
        f" spend_minor = {table}.spend_minor + excluded.spend_minor,"
        f" first_purchase_at = CASE WHEN {table}.first_purchase_at IS NULL"
        f" OR excluded.first_purchase_at < {table}.first_purchase_at"
        f" THEN COALESCE(excluded.first_purchase_at, {table}.first_purchase_at) ELSE {table}.first_purchase_at END,"
        f" last_purchase_at = CASE WHEN {table}.last_purchase_at IS NULL"
        f" OR excluded.last_purchase_at > {table}.last_purchase_at"
        f" THEN COALESCE(excluded.last_purchase_at, {table}.last_purchase_at) ELSE {table}.last_purchase_at END"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)

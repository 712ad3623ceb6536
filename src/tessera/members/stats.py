"""Per-member running statistics, changed inside the checkout transaction so segments never rescan sales.

Called by checkout services only, under the member's account locks, which is what serialises concurrent
updates of one member's rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tessera.kit.db import assert_in_transaction, db_datetime, sql_run
from tessera.members.models import MemberCategoryStats, MemberStats


@dataclass(frozen=True, slots=True)
class CategoryMove:
    quantity: int
    value_minor: int


_STATS = MemberStats._meta.db_table


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
    at = db_datetime(event_at)
    # A late offline sale may be older than the first purchase on record, or newer than the last; the purchase
    # before the last is the second newest of all (PostgreSQL and SQLite evaluate every SET from the old row).
    sql_run(
        f"UPDATE {_STATS} SET"  # noqa: S608
        " first_purchase_at = CASE WHEN first_purchase_at IS NULL OR first_purchase_at > %s THEN %s"
        " ELSE first_purchase_at END,"
        " last_purchase_at = CASE WHEN last_purchase_at IS NULL OR last_purchase_at < %s THEN %s"
        " ELSE last_purchase_at END,"
        " previous_purchase_at = CASE WHEN last_purchase_at IS NULL THEN NULL"
        " WHEN last_purchase_at < %s THEN last_purchase_at"
        " WHEN previous_purchase_at IS NULL OR previous_purchase_at < %s THEN %s"
        " ELSE previous_purchase_at END,"
        " purchase_count = purchase_count + 1, items_bought = items_bought + %s,"
        " spend_minor = spend_minor + %s, points_earned = points_earned + %s WHERE member_id = %s",
        [at, at, at, at, at, at, at, items, value_minor, points, member_id],
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
    sql_run(
        f"UPDATE {_STATS} SET return_count = return_count + 1, items_returned = items_returned + %s,"  # noqa: S608
        " refund_minor = refund_minor + %s, points_taken_back = points_taken_back + %s WHERE member_id = %s",
        [items, value_minor, points, member_id],
    )
    negated = {name: CategoryMove(-move.quantity, -move.value_minor) for name, move in categories.items()}
    _categories_add(member_id=member_id, event_at=None, categories=negated, purchases=0)


def member_stats_top_up(*, member_id: int, amount_minor: int, count: int = 1) -> None:
    """Count a top-up; a refund passes its principal negated and ``count=0``: the total is what stays topped up."""
    assert_in_transaction()
    sql_run(
        f"UPDATE {_STATS} SET top_up_count = top_up_count + %s, top_up_minor = top_up_minor + %s"  # noqa: S608
        " WHERE member_id = %s",
        [count, amount_minor, member_id],
    )


def _categories_add(
    *, member_id: int, event_at: datetime | None, categories: Mapping[str, CategoryMove], purchases: int
) -> None:
    rows = [(name, move) for name, move in sorted(categories.items()) if name]
    if not rows:
        return
    at = db_datetime(event_at) if event_at else None
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[int | str | None] = []
    for name, move in rows:
        params += [member_id, name, purchases, move.quantity, move.value_minor, at, at]
    # One statement for all categories of the document: insert new ones, add to existing ones.
    sql_run(f"{_CATEGORY_INSERT} VALUES {values} {_CATEGORY_MERGE}", params)


# ---------------------------------------------------------------- set-based, for purchase history imports
# An import (ADR 0019) adds many members' documents at once; these apply the same changes as the functions above,
# one statement per batch. The caller's SELECT yields the batch's totals per member (per member and category),
# with the column names given, so the statistics never have to be rebuilt by rescanning documents.

STATS_SELECT_COLUMNS = (
    "member_id", "purchases", "returns", "items_bought", "items_returned", "spend_minor", "refund_minor",
    "first_at", "last_at", "previous_at",
)  # fmt: skip
CATEGORY_SELECT_COLUMNS = ("member_id", "category", "purchases", "quantity", "spend_minor", "first_at", "last_at")


def member_stats_add_select(select_sql: str, params: Sequence[Any]) -> int:
    """Add the totals ``select_sql`` yields, one row per member with ``STATS_SELECT_COLUMNS``, to the members'
    statistics; ``first_at``/``last_at`` are the batch's first and last purchase, NULL where it has none, and
    ``previous_at`` its second newest, NULL where it has fewer than two. Returns the number of members changed."""
    assert_in_transaction()
    s = _STATS
    return sql_run(
        f"UPDATE {s} SET purchase_count = {s}.purchase_count + t.purchases,"  # noqa: S608
        f" return_count = {s}.return_count + t.returns, items_bought = {s}.items_bought + t.items_bought,"
        f" items_returned = {s}.items_returned + t.items_returned, spend_minor = {s}.spend_minor + t.spend_minor,"
        f" refund_minor = {s}.refund_minor + t.refund_minor,"
        f" first_purchase_at = CASE WHEN t.first_at IS NOT NULL AND ({s}.first_purchase_at IS NULL"
        f" OR t.first_at < {s}.first_purchase_at) THEN t.first_at ELSE {s}.first_purchase_at END,"
        f" last_purchase_at = CASE WHEN t.last_at IS NOT NULL AND ({s}.last_purchase_at IS NULL"
        f" OR t.last_at > {s}.last_purchase_at) THEN t.last_at ELSE {s}.last_purchase_at END,"
        f" previous_purchase_at = {_previous_merged(s)}"
        f" FROM ({select_sql}) AS t WHERE {s}.member_id = t.member_id",
        params,
    )


def _previous_merged(s: str) -> str:
    """The second newest purchase of the statistics' and the batch's together: the batch's own second newest or
    the old last one when the batch's last is newer, else the old second newest or the batch's last."""
    return (
        f"CASE WHEN t.last_at IS NULL THEN {s}.previous_purchase_at"
        f" WHEN {s}.last_purchase_at IS NULL THEN t.previous_at"
        f" WHEN t.last_at > {s}.last_purchase_at THEN CASE WHEN t.previous_at > {s}.last_purchase_at"
        f" THEN t.previous_at ELSE {s}.last_purchase_at END"
        f" WHEN {s}.previous_purchase_at > t.last_at THEN {s}.previous_purchase_at ELSE t.last_at END"
    )


def member_category_stats_add_select(select_sql: str, params: Sequence[Any]) -> None:
    """Add the totals ``select_sql`` yields, one row per member and category with ``CATEGORY_SELECT_COLUMNS``
    (net of returns, as the till's updates are), to the category statistics, creating the rows that are new."""
    assert_in_transaction()
    columns = ", ".join(f"t.{c}" for c in CATEGORY_SELECT_COLUMNS)
    # "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join in the SELECT.
    sql_run(f"{_CATEGORY_INSERT} SELECT {columns} FROM ({select_sql}) AS t WHERE true {_CATEGORY_MERGE}", params)  # noqa: S608


_CATEGORY_TABLE = MemberCategoryStats._meta.db_table
_CATEGORY_INSERT = (
    f"INSERT INTO {_CATEGORY_TABLE} (member_id, category, purchase_count, quantity, spend_minor,"
    " first_purchase_at, last_purchase_at)"
)


def _category_merge(table: str) -> str:
    return (
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


_CATEGORY_MERGE = _category_merge(_CATEGORY_TABLE)

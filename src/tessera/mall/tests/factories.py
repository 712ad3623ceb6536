from __future__ import annotations

from typing import Any

from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.mall.models import MallItem, MallStoreStock
from tessera.mall.services import mall_store_stock_add
from tessera.members.models import Member
from tessera.points.models import PointsLot
from tessera.stores.selectors import headquarters_actor
from tessera.testing import Shop, sell


def item_new(program: Any, *, stock: int = 10, points_price: int = 300, **fields: Any) -> MallItem:
    fields.setdefault("kind", "gift")
    return MallItem.objects.create(program=program, name="Tote bag", points_price=points_price, stock=stock,
                                   stock_given=stock, **fields)  # fmt: skip


def points_give(shop: Shop, member: Member, points: int) -> None:
    """Earn ``points`` with a cash sale: 1 point per 100 fen."""
    sell(shop, member, [(1, points * 100)])


def balance(member: Member) -> int:
    return int(member.accounts.get(kind="member_points").balance)


def lots_remaining(member: Member) -> int:
    return sum(PointsLot.objects.filter(member=member).values_list("remaining", flat=True))


def store_stock_give(item: MallItem, shop: Shop, units: int) -> MallStoreStock:
    """Give ``units`` of ``item`` to ``shop``'s store, as the admin does (the item's pool must be empty)."""
    actor = headquarters_actor(merchant_id=shop.store.merchant_id, system="test-setup")
    with use_case():
        return mall_store_stock_add(actor=actor, item_id=item.id, store_id=shop.store.id, units=units, now=now())


def store_stock(item: MallItem, shop: Shop) -> tuple[int, int]:
    """(stock, stock_given) of ``item`` at ``shop``'s store."""
    row = MallStoreStock.objects.get(item=item, store=shop.store)
    return row.stock, row.stock_given

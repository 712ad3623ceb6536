from __future__ import annotations

from typing import Any

from tessera.mall.models import MallItem
from tessera.members.models import Member
from tessera.points.models import PointsLot
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

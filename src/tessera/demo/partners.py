"""The clothing chain's alliance: a café and a fuel station in the same cities take its card (issue 5).

The chain runs the card and keeps a 10% commission on points one merchant issues and another redeems. Stored
value stays with the merchant that sold it (sharing it needs a payment licence in China); points go everywhere.
Each partner gives the card's members its own benefits: the café a discount and double points, the fuel station
no discount on fuel (its price is regulated) but a point for every 2 yuan.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from tessera.demo.catalogue import Item
from tessera.demo.markets import CHAIN, Market, Reward, StoreSpec

ALLIANCE_NAME = "云裳生活联盟卡"
COMMISSION_BP = 1_000  # the operator's 10%
ALLIANCE_MARKET: Market = CHAIN  # the card's owner and operator; its partners trade in the same cities
CONSENT_SHARE = 0.2  # of the partners' customers, who let the partners see their purchases at the others
ALLIANCE_ADMIN_USERNAME = "alliance.admin"


@dataclass(frozen=True, slots=True)
class Partner:
    key: str
    slug: str  # for demo usernames: <slug>.admin
    merchant: str
    stores: tuple[StoreSpec, ...]
    discount_bp: int | None  # off every line for the card's members; None: the tier's discount
    earn: tuple[int, int]  # (points, per minor units spent) at its stores
    hour_weights: tuple[tuple[int, float], ...]
    basket: Callable[[random.Random], list[Item]]
    customer_share: float  # of the card's members who also buy here with the card
    customers_min: int  # so that a small demo still shows the alliance
    visits_per_year: float  # mean, spread so a few come often
    prepaid_share: float  # of its customers, who keep a balance on the card here
    top_up_amounts: dict[int, float]
    rewards: tuple[Reward, ...]
    redeem_chance: float  # that a customer with enough points asks for a gift after paying


def _yuan(amount: int) -> int:
    return amount * 100


_BEAN = "拾光 SHIGUANG"
_DRINKS = (
    ("CF-AMER", "美式咖啡", 25, 30),
    ("CF-LATTE", "拿铁", 30, 35),
    ("CF-OATL", "燕麦拿铁", 33, 15),
    ("CF-POUR", "手冲咖啡", 38, 8),
    ("CF-TEA", "柠檬红茶", 22, 12),
)
_FOOD = (
    ("BK-CROI", "黄油可颂", 18, 40),
    ("BK-CAKE", "巴斯克芝士蛋糕", 32, 20),
    ("BK-SAND", "火腿芝士三明治", 28, 30),
    ("BN-250", "拾光 精品咖啡豆 250 克", 98, 4),
)


def _pick(rng: random.Random, menu: tuple[tuple[str, str, int, int], ...], category: str) -> Item:
    sku, name, price, _weight = rng.choices(menu, weights=[m[3] for m in menu])[0]
    return Item(sku, name, _BEAN, category, _yuan(price))


def cafe_order(rng: random.Random) -> list[Item]:
    """A drink or two, sometimes something to eat or a bag of beans to take home."""
    drink = _pick(rng, _DRINKS, "咖啡饮品")
    items = [drink if rng.random() < 0.8 else replace(drink, quantity=2)]
    if rng.random() < 0.45:
        items.append(_pick(rng, _FOOD, "烘焙轻食"))
    return items


_FUEL_BRAND = "畅行 CHANGXING"


def fuel_stop(rng: random.Random) -> list[Item]:
    """A fill paid by amount, as drivers ask for it at Chinese stations, and now and then a car wash."""
    grade, name = rng.choices((("FUEL-92", "92号汽油"), ("FUEL-95", "95号汽油")), weights=(75, 25))[0]
    amount = rng.choice((150, 200, 200, 250, 300, 300, 350, 400)) if rng.random() < 0.7 else rng.randint(120, 460)
    items = [Item(grade, name, _FUEL_BRAND, "油品", _yuan(amount))]
    if rng.random() < 0.12:
        items.append(Item("CW-AUTO", "自动洗车", _FUEL_BRAND, "汽车服务", _yuan(30)))
    if rng.random() < 0.15:
        items.append(Item("MK-WATER", "矿泉水 550 毫升", _FUEL_BRAND, "便利店", _yuan(3), quantity=rng.randint(1, 4)))
    return items


CAFE = Partner(
    key="cafe",
    slug="shiguang",
    merchant="拾光咖啡 Shiguang Coffee",
    stores=(
        StoreSpec("CF01", "拾光咖啡 上海静安寺店", 0.6),
        StoreSpec("CF02", "拾光咖啡 杭州西湖店", 0.4),
    ),
    discount_bp=1_000,
    earn=(2, 100),  # 2 points per yuan: double the chain's rate, funded by the café
    hour_weights=tuple(zip(range(7, 21), (6, 14, 12, 9, 7, 10, 11, 9, 10, 8, 6, 4, 3, 2), strict=True)),
    basket=cafe_order,
    customer_share=0.05,
    customers_min=6,
    visits_per_year=3.0,
    prepaid_share=0.3,
    top_up_amounts={_yuan(200): 45, _yuan(300): 35, _yuan(500): 20},
    rewards=(
        Reward(500, "积分兑换：手工曲奇"),
        Reward(1_500, "积分兑换：美式咖啡一杯"),
        Reward(3_000, "积分兑换：精品咖啡豆 250 克"),
    ),
    redeem_chance=0.5,
)

FUEL = Partner(
    key="fuel",
    slug="changxing",
    merchant="畅行加油 Changxing Fuel",
    stores=(
        StoreSpec("FS01", "畅行加油 上海虹桥站", 0.55),
        StoreSpec("FS02", "畅行加油 苏州工业园区站", 0.45),
    ),
    discount_bp=0,
    earn=(1, 200),  # a point per 2 yuan
    hour_weights=tuple(zip(range(6, 23), (4, 9, 10, 7, 6, 6, 7, 6, 6, 7, 9, 10, 9, 7, 5, 4, 3), strict=True)),
    basket=fuel_stop,
    customer_share=0.04,
    customers_min=5,
    visits_per_year=3.5,
    prepaid_share=0.4,  # fuel cards
    top_up_amounts={_yuan(500): 50, _yuan(1_000): 40, _yuan(2_000): 10},
    rewards=(
        Reward(800, "积分兑换：矿泉水一箱"),
        Reward(2_000, "积分兑换：自动洗车一次"),
        Reward(5_000, "积分兑换：50 元加油券"),
    ),
    redeem_chance=0.5,
)

PARTNERS = (CAFE, FUEL)
